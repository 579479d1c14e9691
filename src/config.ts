/**
 * The one module that reads the environment. Every key is documented here with its default;
 * README.md repeats this table for operators. A bad value stops start-up with one readable
 * message naming the key (see {@link ConfigError}).
 */
import path from 'node:path';

/** Which engine runs the BPMN processes. Only `src/engine/` branches on it. */
export type EngineKind = 'embedded' | 'camunda8';
/** `simulated` lets the clock be advanced through the API; refused in production. */
export type ClockKind = 'system' | 'simulated';
/** `none` lets engine clients connect without credentials; refused in production. */
export type EngineAuth = 'credentials' | 'none';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** When the session cookie is marked `Secure`: `auto` = when the request came over TLS. */
export type CookieSecure = 'auto' | 'always' | 'never';
/**
 * Which proxies may tell the client address and protocol (X-Forwarded-For/-Proto): `false` none,
 * a number of hops, or a list of addresses / CIDR ranges. Never "everyone": a client could then
 * pick its own address and escape the sign-in rate limit.
 */
export type TrustProxy = false | number | readonly string[];

/** The validated, frozen configuration handed down explicitly from `main.ts`. */
export interface Config {
  readonly nodeEnv: string;
  readonly production: boolean;
  readonly port: number;
  readonly host: string;
  /** PostgreSQL connection string; `undefined` means embedded PGlite in {@link Config.dataDir}. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly engine: EngineKind;
  readonly clock: ClockKind;
  readonly engineAuth: EngineAuth;
  /** A session ends after this many minutes without a request. */
  readonly sessionIdleMinutes: number;
  /** A session ends this many hours after sign-in, however active. */
  readonly sessionMaxHours: number;
  readonly cookieSecure: CookieSecure;
  readonly trustProxy: TrustProxy;
  /** Sign-in attempts per client address and minute. */
  readonly loginRateLimit: number;
}

/** A configuration key holds a value that cannot be used. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`Configuration error: ${key} ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

interface KeyDoc {
  key: string;
  default: string;
  description: string;
}

/** Every environment key the product reads, with its default. Source of the README table. */
export const CONFIG_KEYS: readonly KeyDoc[] = [
  { key: 'PORT', default: '3000', description: 'TCP port of the HTTP server (0 picks a free one)' },
  { key: 'HOST', default: '127.0.0.1', description: 'interface to listen on (`0.0.0.0` in a container)' },
  {
    key: 'DATABASE_URL',
    default: '(unset)',
    description: 'PostgreSQL connection string; unset means embedded PGlite in `DATA_DIR`',
  },
  { key: 'DATA_DIR', default: './data', description: 'where embedded PGlite keeps its files' },
  {
    key: 'LOG_LEVEL',
    default: 'info',
    description: 'fatal, error, warn, info, debug, trace or silent',
  },
  { key: 'ENGINE', default: 'embedded', description: '`embedded`; `camunda8` is not built yet (start-up refuses it)' },
  {
    key: 'CLOCK',
    default: 'system',
    description: '`system` or `simulated` (time can be advanced over the API; refused in production)',
  },
  {
    key: 'ENGINE_AUTH',
    default: 'credentials',
    description: '`credentials` or `none` (engine clients connect without credentials; refused in production)',
  },
  { key: 'SESSION_IDLE_MINUTES', default: '30', description: 'a session ends after this many minutes without a request' },
  { key: 'SESSION_MAX_HOURS', default: '12', description: 'a session ends this many hours after sign-in, however active' },
  {
    key: 'COOKIE_SECURE',
    default: 'auto',
    description:
      '`auto` (session cookie `Secure` when the request came over HTTPS), `always` or `never` (refused in production)',
  },
  {
    key: 'TRUST_PROXY',
    default: 'false',
    description:
      'reverse proxies whose X-Forwarded-For/-Proto are believed: `false`, a number of hops, or comma-separated addresses/CIDRs',
  },
  { key: 'LOGIN_RATE_LIMIT', default: '10', description: 'sign-in attempts per client address and minute' },
  { key: 'NODE_ENV', default: 'development', description: '`production` refuses the unsafe settings above' },
];

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the configuration from `env` (the process environment by default).
 * @throws ConfigError naming the first key whose value cannot be used
 */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = text(env, 'NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';
  const clock = oneOf(env, 'CLOCK', ['system', 'simulated'] as const, 'system');
  const engineAuth = oneOf(env, 'ENGINE_AUTH', ['credentials', 'none'] as const, 'credentials');
  if (production && clock === 'simulated') {
    throw new ConfigError('CLOCK', 'must not be "simulated" when NODE_ENV=production');
  }
  if (production && engineAuth === 'none') {
    throw new ConfigError('ENGINE_AUTH', 'must not be "none" when NODE_ENV=production');
  }
  const cookieSecure = oneOf(env, 'COOKIE_SECURE', ['auto', 'always', 'never'] as const, 'auto');
  if (production && cookieSecure === 'never') {
    throw new ConfigError('COOKIE_SECURE', 'must not be "never" when NODE_ENV=production');
  }
  return Object.freeze({
    nodeEnv,
    production,
    port: port(env, 'PORT', 3000),
    host: text(env, 'HOST') ?? '127.0.0.1',
    databaseUrl: databaseUrl(env, 'DATABASE_URL'),
    dataDir: path.resolve(text(env, 'DATA_DIR') ?? './data'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    engine: oneOf(env, 'ENGINE', ['embedded', 'camunda8'] as const, 'embedded'),
    clock,
    engineAuth,
    sessionIdleMinutes: positiveInteger(env, 'SESSION_IDLE_MINUTES', 30, 24 * 60),
    sessionMaxHours: positiveInteger(env, 'SESSION_MAX_HOURS', 12, 24 * 7),
    cookieSecure,
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    loginRateLimit: positiveInteger(env, 'LOGIN_RATE_LIMIT', 10, 10_000),
  });
}

function text(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const value = text(env, key);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

function port(env: Env, key: string, fallback: number): number {
  const value = text(env, key);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new ConfigError(key, `must be a port number from 0 to 65535 (got "${value}")`);
  }
  return n;
}

function positiveInteger(env: Env, key: string, fallback: number, max: number): number {
  const value = text(env, key);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw new ConfigError(key, `must be a whole number from 1 to ${max} (got "${value}")`);
  }
  return n;
}

function trustProxy(env: Env, key: string): TrustProxy {
  const value = text(env, key);
  if (value === undefined || value === 'false') return false;
  if (/^\d+$/.test(value) && Number(value) <= 10) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  // Addresses or CIDR ranges only; "true" would let any client choose its own address.
  if (entries.every((entry) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry) && /[.:]/.test(entry))) {
    return Object.freeze(entries);
  }
  throw new ConfigError(key, `must be false, a number of hops (0-10) or comma-separated addresses/CIDRs (got "${value}")`);
}

function databaseUrl(env: Env, key: string): string | undefined {
  const value = text(env, key);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, 'is not a URL (expected postgres://user@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(key, `must start with postgres:// (got "${url.protocol}//")`);
  }
  return value;
}
