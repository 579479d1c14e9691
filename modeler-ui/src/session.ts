/**
 * Who is signed in: the account from `GET /api/auth/me` (or the sign-in answer) and what the
 * navigation offers them by role.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { get, post, setCsrfToken } from './api';

/** A role a person can hold (see src/auth/roles.ts). */
export type Role = 'process-owner' | 'social-service' | 'psychological-service' | 'administration' | 'supervisor' | 'admin';

/** The signed-in account as the API shows it. */
export interface User {
  id: string;
  username: string;
  displayName: string;
  memberships: Array<{ role: Role; teamId: string | null }>;
}

interface SignedIn {
  user: User;
  csrfToken: string;
}

/** Who works on cases: the caseworker groups, supervisors and admins (as the API allows). */
export const CASEWORKER_ROLES: readonly Role[] = ['social-service', 'psychological-service', 'administration', 'supervisor', 'admin'];

/** The areas of the app, each open to some roles. */
export const AREAS = {
  modeler: { path: '/modeler', roles: ['process-owner'] as readonly Role[] },
  tasks: { path: '/tasks', roles: CASEWORKER_ROLES },
  supervisor: { path: '/supervisor', roles: ['supervisor', 'admin'] as readonly Role[] },
} as const;

/** One of the {@link AREAS}. */
export type Area = keyof typeof AREAS;

/** Whether `user` holds any of `roles`. */
export function hasRole(user: User | null | undefined, roles: readonly Role[]): boolean {
  return !!user?.memberships.some((membership) => roles.includes(membership.role));
}

/** The areas `user` may open, in navigation order. */
export function areasOf(user: User | null | undefined): Area[] {
  return (Object.keys(AREAS) as Area[]).filter((area) => hasRole(user, AREAS[area].roles));
}

/** The page a user lands on after sign-in. */
export function homeOf(user: User | null | undefined): string {
  const [first] = areasOf(user);
  return first ? AREAS[first].path : '/login';
}

// Whether this browser signed in and did not sign out: without it, the start-up does not ask the
// server (an anonymous 401 would be noise on the console of every visit to the sign-in page).
const SIGNED_IN_KEY = 'uebergang.signedIn';

function rememberSignedIn(signedIn: boolean): void {
  if (signedIn) globalThis.localStorage?.setItem(SIGNED_IN_KEY, '1');
  else globalThis.localStorage?.removeItem(SIGNED_IN_KEY);
}

/** Asks the server who is signed in; null when nobody is. */
export async function fetchSession(): Promise<User | null> {
  if (globalThis.localStorage?.getItem(SIGNED_IN_KEY) !== '1') return null;
  try {
    const answer = await get<SignedIn>('/api/auth/me', { quiet401: true });
    setCsrfToken(answer.csrfToken);
    return answer.user;
  } catch {
    rememberSignedIn(false);
    return null;
  }
}

/** Forgets the session in this browser (the server said it is gone). */
export function forgetSession(): void {
  rememberSignedIn(false);
  setCsrfToken(undefined);
}

/** Signs in; throws the API's refusal. */
export async function signIn(username: string, password: string): Promise<User> {
  const answer = await post<SignedIn>('/api/auth/login', { username, password });
  setCsrfToken(answer.csrfToken);
  rememberSignedIn(true);
  return answer.user;
}

/** Signs out (the session ends on the server as well). */
export async function signOut(): Promise<void> {
  try {
    await post('/api/auth/logout');
  } finally {
    forgetSession();
  }
}

/** What the session context holds. */
export interface SessionState {
  user: User | null;
  setUser(user: User | null): void;
}

/** The session context the app provides. */
export const SessionContext = createContext<SessionState>({ user: null, setUser: () => {} });

/** The current session. */
export function useSession(): SessionState {
  return useContext(SessionContext);
}
