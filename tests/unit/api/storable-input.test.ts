/** What the database cannot store is found before a route sees it (src/api/plugins/storable-input.ts). */
import { describe, expect, it } from 'vitest';
import { findUnstorable, MAX_NESTING } from '../../../src/api/plugins/storable-input.js';

const nest = (depth: number): unknown => (depth === 0 ? 'leaf' : { a: nest(depth - 1) });

describe('findUnstorable', () => {
  it('accepts ordinary text, paired surrogates (emoji) and nesting up to the limit', () => {
    expect(findUnstorable({ name: 'Übergang 🙂', list: [1, 'zwei', null, true] }, 'body')).toBeUndefined();
    expect(findUnstorable(nest(MAX_NESTING), 'body')).toBeUndefined();
  });

  it('names the place of a NUL character, in a value or a property name', () => {
    expect(findUnstorable({ variables: { kind: 'a\u0000b' } }, 'body')).toBe(
      'body.variables.kind contains a NUL character, which cannot be stored',
    );
    expect(findUnstorable({ list: ['ok', 'x\u0000'] }, 'body')).toMatch(/^body\.list\[1\] contains a NUL/);
    expect(findUnstorable({ 'key\u0000': 1 }, 'body')).toMatch(/^a property name in body contains a NUL/);
  });

  it('finds lone surrogates, high or low, which jsonb refuses', () => {
    expect(findUnstorable({ a: '\ud800' }, 'body')).toMatch(/unpaired UTF-16 surrogate/);
    expect(findUnstorable({ a: 'x\udfffy' }, 'body')).toMatch(/unpaired UTF-16 surrogate/);
    expect(findUnstorable({ a: '\ud83d\ude42' }, 'body')).toBeUndefined();
  });

  it('refuses nesting beyond the limit without overflowing its own stack', () => {
    expect(findUnstorable(nest(MAX_NESTING + 1), 'body')).toMatch(/nested more than 100 levels deep/);
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(findUnstorable(deep, 'body')).toMatch(/nested more than/);
  });

  it('quotes odd property names short in the place it reports', () => {
    const problem = findUnstorable({ ['x'.repeat(100) + ' y']: '\u0000' }, 'body');
    expect(problem).toMatch(/^body\["x{40}…"\] contains/);
  });
});
