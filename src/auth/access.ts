/**
 * Access declarations: every route states who may call it in `config.access`, and one hook
 * enforces it (src/api/plugins/auth.ts). Pure: the decision itself has no I/O.
 */
import { hasAnyRole, isRole, type Principal, type Role } from './roles.js';

/**
 * Who may call a route:
 * - `'public'`: anyone, no sign-in (health, sign-in itself);
 * - `'authenticated'`: any signed-in person;
 * - a list of roles: a signed-in person holding at least one of them (team scope is then
 *   checked by the route against the record, see `visibleTeamIds`);
 * - `'machine'`: a worker with a machine credential (Basic or Bearer), on /v2 and /engine-rest.
 */
export type Access = 'public' | 'authenticated' | 'machine' | readonly Role[];

/** The outcome of {@link decideAccess}: go on, 401, or 403. */
export type AccessDecision = 'allow' | 'unauthenticated' | 'forbidden';

/** Throws unless `value` is a well-formed {@link Access}; used when a route is registered. */
export function assertAccess(value: unknown, route: string): asserts value is Access {
  if (value === 'public' || value === 'authenticated' || value === 'machine') return;
  if (Array.isArray(value) && value.length > 0 && value.every((role) => typeof role === 'string' && isRole(role))) {
    return;
  }
  throw new RouteAccessError(
    value === undefined
      ? `Route ${route} has no access declaration: add config: { access: 'public' | 'authenticated' | 'machine' | [roles] }`
      : `Route ${route} has an invalid access declaration ${JSON.stringify(value)}`,
  );
}

/** Decides whether `principal` (null: nobody signed in) may call a route declared `access`. */
export function decideAccess(access: Access, principal: Principal | null): AccessDecision {
  if (access === 'public') return 'allow';
  if (access === 'machine') return principal?.kind === 'machine' ? 'allow' : 'unauthenticated';
  if (principal?.kind !== 'user') return 'unauthenticated';
  if (access === 'authenticated') return 'allow';
  return hasAnyRole(principal, access) ? 'allow' : 'forbidden';
}

/** A route was registered without a (valid) access declaration: the server refuses to start. */
export class RouteAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteAccessError';
  }
}
