/**
 * Sign-in test helpers: the real server on a fresh database of a back-end, accounts created
 * straight through the auth module, and a small HTTP client that carries cookie and CSRF token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, vi } from 'vitest';
import type { Membership } from '../../src/auth/roles.js';
import { createUser, type User } from '../../src/auth/users.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/index.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { Backend, TestDatabase } from './databases.js';

/** The password of every account made by {@link createTestUser}. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** A running server for the tests of one `describe`. */
export interface AuthServer {
  readonly url: string;
  readonly db: Database;
  readonly server: RunningServer;
  /** The first administrator's password, as printed at start-up. */
  readonly adminPassword: string;
}

/**
 * Starts the product (`startServer`, as `npm start` does) before the tests of the surrounding
 * `describe` on a fresh database of `backend`, with `env` on top of a silent default.
 */
export function useAuthServer(backend: Backend, env: Record<string, string> = {}): AuthServer {
  let database: TestDatabase | undefined;
  let dataDir: string;
  let server: RunningServer | undefined;
  let adminPassword = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-auth-'));
    if (backend.name === 'postgres') database = await backend.create();
    const config = loadConfig({ PORT: '0', DATABASE_URL: database?.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
    // The first administrator's line goes to stdout: caught here instead of cluttering the output.
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      const match = /password: (\S+)/.exec(String(chunk));
      if (match) adminPassword = match[1];
      return true;
    });
    try {
      server = await startServer(config, createLogger(config));
    } finally {
      write.mockRestore();
    }
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return {
    get url() {
      return server!.url;
    },
    get db() {
      return server!.db;
    },
    get server() {
      return server!;
    },
    get adminPassword() {
      return adminPassword;
    },
  };
}

/** Creates an account with {@link TEST_PASSWORD} and the given memberships, ensuring the teams exist. */
export async function createTestUser(db: Database, username: string, memberships: Membership[]): Promise<User> {
  for (const { teamId } of memberships) {
    if (teamId) await db.query('insert into team (id, name) values ($1, $1) on conflict do nothing', [teamId]);
  }
  return createUser(
    db,
    { username, displayName: `Test ${username}`, password: TEST_PASSWORD, memberships },
    { actor: { type: 'system', id: null } },
  );
}

/** A signed-in browser: its session cookie and CSRF token. */
export interface Session {
  cookie: string;
  csrfToken: string;
}

/** The HTTP answer, with its body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Sends one request as `session` (with its cookie, and its CSRF token unless `csrf: false`). */
export async function call(
  url: string,
  method: string,
  pathname: string,
  options: { session?: Session; csrf?: boolean | string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.session) headers.cookie = options.session.cookie;
  if (options.session && options.csrf !== false) {
    headers['x-csrf-token'] = typeof options.csrf === 'string' ? options.csrf : options.session.csrfToken;
  }
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${url}${pathname}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body };
}

/** Signs in over HTTP; throws unless it succeeds. */
export async function signIn(url: string, username: string, password = TEST_PASSWORD): Promise<Session> {
  const answer = await call(url, 'POST', '/api/auth/login', { body: { username, password } });
  if (answer.status !== 200) throw new Error(`sign-in of ${username} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { cookie: sessionCookie(answer.headers), csrfToken: answer.body.csrfToken };
}

/** The `name=value` of the session cookie set by a response. */
export function sessionCookie(headers: Headers): string {
  const set = headers.getSetCookie().find((c) => c.startsWith('uebergang_session='));
  if (!set) throw new Error('no session cookie set');
  return set.split(';')[0];
}
