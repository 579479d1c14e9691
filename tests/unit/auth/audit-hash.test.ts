import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalJson, hashAuditRecord, type AuditRecord } from '../../../src/auth/audit-hash.js';

const record: AuditRecord = {
  seq: 1,
  at: new Date('2026-01-02T03:04:05.678Z'),
  actorType: 'user',
  actorId: 'u1',
  action: 'case.read',
  recordType: 'case',
  recordId: 'c1',
  teamId: 'nord',
  route: 'GET /api/cases/:id',
  outcome: 'success',
  details: { count: 1, roles: ['a', 'b'] },
};

describe('audit hash chain', () => {
  it('is a SHA-256 in hex and stable', () => {
    const hash = hashAuditRecord(GENESIS_HASH, record);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAuditRecord(GENESIS_HASH, { ...record })).toBe(hash);
  });

  it.each(Object.keys(record) as (keyof AuditRecord)[])('changes when %s changes', (field) => {
    const changed = { ...record, [field]: field === 'at' ? new Date(0) : field === 'seq' ? 2 : field === 'details' ? { count: 2 } : 'other' };
    expect(hashAuditRecord(GENESIS_HASH, changed as AuditRecord)).not.toBe(hashAuditRecord(GENESIS_HASH, record));
  });

  it('changes with the previous hash', () => {
    expect(hashAuditRecord('a'.repeat(64), record)).not.toBe(hashAuditRecord(GENESIS_HASH, record));
  });

  it('does not depend on the key order of details (jsonb reorders them)', () => {
    const reordered = { ...record, details: { roles: ['a', 'b'], count: 1 } };
    expect(hashAuditRecord(GENESIS_HASH, reordered)).toBe(hashAuditRecord(GENESIS_HASH, record));
  });

  it('keeps null and a missing value apart from the string "null"', () => {
    expect(hashAuditRecord(GENESIS_HASH, { ...record, recordId: null })).not.toBe(
      hashAuditRecord(GENESIS_HASH, { ...record, recordId: 'null' }),
    );
  });

  it('sorts keys at every level', () => {
    expect(canonicalJson({ b: { d: 1, c: [2, { f: 1, e: 0 }] }, a: null })).toBe('{"a":null,"b":{"c":[2,{"e":0,"f":1}],"d":1}}');
  });
});
