/**
 * Roles, principals and team scope: who is asking, and which teams' records they may see.
 * Pure: no I/O, unit-tested in tests/unit/auth/.
 */

/** Every role a person can hold; the caseworker groups are the candidate groups of user tasks. */
export const ROLES = [
  'process-owner',
  'social-service',
  'psychological-service',
  'administration',
  'supervisor',
  'admin',
] as const;

/** A role a person can hold. */
export type Role = (typeof ROLES)[number];

/** Roles held for one team; a membership with one of these always names its team. */
export const TEAM_ROLES: readonly Role[] = ['social-service', 'psychological-service', 'administration', 'supervisor'];

/** One role of a person, for one team (`teamId`) or, for admin and process-owner, for none. */
export interface Membership {
  readonly role: Role;
  readonly teamId: string | null;
}

/** A person signed in with a session cookie. */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
  /** SHA-256 of the session token: identifies the session without being able to use it. */
  readonly sessionId: string;
  readonly memberships: readonly Membership[];
}

/** A worker on the engine protocols; `credentialId` is null when ENGINE_AUTH=none. */
export interface MachinePrincipal {
  readonly kind: 'machine';
  readonly credentialId: string | null;
}

/** Whoever a request acts for, once authenticated. */
export type Principal = UserPrincipal | MachinePrincipal;

/** Is `value` one of {@link ROLES}? */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Does the membership need a team? (caseworker groups and supervisors act for one team) */
export function isTeamRole(role: Role): boolean {
  return TEAM_ROLES.includes(role);
}

/** True when `principal` is a person holding at least one of `roles` (in any team). */
export function hasAnyRole(principal: Principal | null | undefined, roles: readonly Role[]): boolean {
  return principal?.kind === 'user' && principal.memberships.some((m) => roles.includes(m.role));
}

/**
 * The teams whose records `principal` may see: `'all'` for an admin; otherwise the teams in
 * which they are a caseworker or supervisor (a supervisor sees their teams, a caseworker their
 * own). Machines and process owners see no team's personal data through the product API.
 */
export function visibleTeamIds(principal: Principal | null | undefined): 'all' | readonly string[] {
  if (principal?.kind !== 'user') return [];
  if (principal.memberships.some((m) => m.role === 'admin')) return 'all';
  const teams = principal.memberships.filter((m) => m.teamId !== null && isTeamRole(m.role)).map((m) => m.teamId!);
  return [...new Set(teams)].sort();
}

/** May `principal` see a record of team `teamId`? */
export function canSeeTeam(principal: Principal | null | undefined, teamId: string): boolean {
  const teams = visibleTeamIds(principal);
  return teams === 'all' || teams.includes(teamId);
}
