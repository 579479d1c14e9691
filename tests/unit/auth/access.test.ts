import { describe, expect, it } from 'vitest';
import { RouteAccessError, assertAccess, decideAccess, type Access } from '../../../src/auth/access.js';
import { canSeeTeam, hasAnyRole, visibleTeamIds, type Membership, type Principal } from '../../../src/auth/roles.js';

const person = (...memberships: Membership[]): Principal => ({ kind: 'user', userId: 'u1', sessionId: 's1', memberships });
const machine: Principal = { kind: 'machine', credentialId: 'm1' };

describe('access decision', () => {
  it.each<[Access, Principal | null, string]>([
    ['public', null, 'allow'],
    ['public', machine, 'allow'],
    ['authenticated', null, 'unauthenticated'],
    ['authenticated', machine, 'unauthenticated'],
    ['authenticated', person(), 'allow'],
    [['admin'], null, 'unauthenticated'],
    [['admin'], person({ role: 'supervisor', teamId: 't' }), 'forbidden'],
    [['admin', 'supervisor'], person({ role: 'supervisor', teamId: 't' }), 'allow'],
    [['admin'], machine, 'unauthenticated'],
    ['machine', null, 'unauthenticated'],
    ['machine', person({ role: 'admin', teamId: null }), 'unauthenticated'],
    ['machine', machine, 'allow'],
  ])('%j for %j is %s', (access, principal, expected) => {
    expect(decideAccess(access, principal)).toBe(expected);
  });

  it.each([undefined, null, '', 'everyone', [], ['admin', 'janitor'], [42], { roles: ['admin'] }])(
    'refuses the declaration %j',
    (value) => {
      expect(() => assertAccess(value, 'GET /x')).toThrow(RouteAccessError);
    },
  );

  it('names the route without a declaration', () => {
    expect(() => assertAccess(undefined, 'GET /api/x')).toThrow(/^Route GET \/api\/x has no access declaration/);
  });
});

describe('team scope', () => {
  it('gives an admin every team', () => {
    expect(visibleTeamIds(person({ role: 'admin', teamId: null }))).toBe('all');
    expect(canSeeTeam(person({ role: 'admin', teamId: null }), 'anything')).toBe(true);
  });

  it('gives a caseworker and a supervisor their own teams only', () => {
    const principal = person(
      { role: 'social-service', teamId: 'nord' },
      { role: 'supervisor', teamId: 'sued' },
      { role: 'administration', teamId: 'nord' },
    );
    expect(visibleTeamIds(principal)).toEqual(['nord', 'sued']);
    expect(canSeeTeam(principal, 'nord')).toBe(true);
    expect(canSeeTeam(principal, 'west')).toBe(false);
  });

  it('gives process owners, machines and nobody no team', () => {
    expect(visibleTeamIds(person({ role: 'process-owner', teamId: null }))).toEqual([]);
    expect(visibleTeamIds(machine)).toEqual([]);
    expect(visibleTeamIds(null)).toEqual([]);
    expect(canSeeTeam(null, 'nord')).toBe(false);
  });

  it('finds a role in any team', () => {
    expect(hasAnyRole(person({ role: 'supervisor', teamId: 'x' }), ['supervisor'])).toBe(true);
    expect(hasAnyRole(person({ role: 'supervisor', teamId: 'x' }), ['admin'])).toBe(false);
    expect(hasAnyRole(machine, ['admin'])).toBe(false);
  });
});
