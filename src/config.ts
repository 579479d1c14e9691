/**
 * The one module that reads the environment. Every key is documented here with its default;
 * README.md repeats this table for operators. A bad value stops start-up with one readable
 * message naming the key (see {@link ConfigError}).
 */
import path from 'node:path';
import { isIsoDateTime } from './iso8601.js';

/** Which engine runs the BPMN processes. Only `src/engine/` branches on it. */
export type EngineKind = 'embedded' | 'camunda8';
/** `simulated` lets the clock be advanced through the API; refused in production. */
export type ClockKind = 'system' | 'simulated';
/** `none` lets engine clients connect without credentials; refused in production. */
export type EngineAuth = 'credentials' | 'none';
/** How `npm start` binds the worker handlers: Camunda 8 REST job workers, Camunda 7 external tasks, or not at all. */
export type WorkersProtocol = 'camunda8' | 'camunda7' | 'off';
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
  /** Where the simulated clock starts at each start of the process; `undefined`: now. */
  readonly clockStart: Date | undefined;
  readonly engineAuth: EngineAuth;
  /** Worker threads for instance work (2 by default); 0 = in the HTTP thread with a cache of live engines. */
  readonly engineThreads: number;
  /** A session ends after this many minutes without a request. */
  readonly sessionIdleMinutes: number;
  /** A session ends this many hours after sign-in, however active. */
  readonly sessionMaxHours: number;
  readonly cookieSecure: CookieSecure;
  readonly trustProxy: TrustProxy;
  /** Sign-in attempts per client address and minute. */
  readonly loginRateLimit: number;
  readonly workersProtocol: WorkersProtocol;
  /**
   * The engine the workers poll: a Camunda 8 REST address (`/v2` is appended) or, with
   * `camunda7`, an `/engine-rest` base URL. `undefined`: this process's own engine over loopback.
   */
  readonly workersEngineUrl: string | undefined;
  /** Machine credential for {@link Config.workersEngineUrl}; unused for this process's own engine. */
  readonly workersClientId: string | undefined;
  readonly workersClientSecret: string | undefined;
  /** OAuth token URL (client-credentials grant) for `camunda8`; unset: HTTP Basic with the credential. */
  readonly workersOauthUrl: string | undefined;
  /** `smtp://` or `smtps://` URL of the mail server; `undefined`: notifications stay in the outbox. */
  readonly smtpUrl: string | undefined;
  /** Sender address of notifications; required with {@link Config.smtpUrl}. */
  readonly mailFrom: string | undefined;
  /** Load demo users, partners and cases into an empty database at start; refused in production. */
  readonly demo: boolean;
  /** Password of every demo user; required with {@link Config.demo}. */
  readonly demoPassword: string | undefined;
  /** Closed cases are anonymised this many years after the last release (§ 42 JVollzDSG NRW: 5). */
  readonly retentionYears: number;
  /** Health data (needs, therapy, sociotherapy) is kept this many years (10). */
  readonly retentionHealthYears: number;
  /** OIDC sign-in: the issuer's URL (its `/.well-known/openid-configuration` is read); unset: local accounts only. */
  readonly oidcIssuerUrl: string | undefined;
  readonly oidcClientId: string | undefined;
  readonly oidcClientSecret: string | undefined;
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
    key: 'CLOCK_START',
    default: '(unset)',
    description: 'with `CLOCK=simulated`: the date-time (ISO 8601, e.g. `2027-01-04T08:00:00Z`) the clock starts at; unset: now',
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
  {
    key: 'WORKERS_PROTOCOL',
    default: 'camunda8',
    description: 'how the workers poll for jobs: `camunda8` (REST v2 job workers), `camunda7` (external tasks) or `off`',
  },
  {
    key: 'WORKERS_ENGINE_URL',
    default: '(unset)',
    description: "the engine the workers poll (a Camunda 8 REST address, or an `/engine-rest` URL with `camunda7`); unset: this process's own engine",
  },
  { key: 'WORKERS_CLIENT_ID', default: '(unset)', description: 'machine credential of the workers for `WORKERS_ENGINE_URL`' },
  { key: 'WORKERS_CLIENT_SECRET', default: '(unset)', description: 'its secret' },
  {
    key: 'WORKERS_OAUTH_URL',
    default: '(unset)',
    description: 'OAuth token URL for `camunda8` (client-credentials grant); unset: HTTP Basic with the credential',
  },
  {
    key: 'SMTP_URL',
    default: '(unset)',
    description: '`smtp://user:password@host:587` or `smtps://…`; unset: notifications stay in the outbox (a warning at start)',
  },
  { key: 'MAIL_FROM', default: '(unset)', description: 'sender of notifications (`noreply@example.org` or `Name <noreply@example.org>`); required with `SMTP_URL`' },
  {
    key: 'ENGINE_THREADS',
    default: '2',
    description:
      'worker threads that run process instances off the HTTP thread (each costs ~10–50 MB); 0: in the HTTP thread, with a cache of live engines',
  },
  { key: 'DEMO', default: '0', description: '`1` loads demo users, partners and cases into an empty database (refused in production)' },
  { key: 'DEMO_PASSWORD', default: '(unset)', description: 'password of every demo user (at least 12 characters); required with `DEMO=1`' },
  { key: 'RETENTION_YEARS', default: '5', description: 'closed cases are anonymised this many years after the last release (§ 42 JVollzDSG NRW)' },
  { key: 'RETENTION_HEALTH_YEARS', default: '10', description: 'health data of closed cases is kept this many years' },
  { key: 'OIDC_ISSUER_URL', default: '(unset)', description: 'OIDC sign-in (Keycloak or similar): the issuer URL; unset: local accounts only' },
  { key: 'OIDC_CLIENT_ID', default: '(unset)', description: 'OIDC client id; required with `OIDC_ISSUER_URL`' },
  { key: 'OIDC_CLIENT_SECRET', default: '(unset)', description: 'OIDC client secret; required with `OIDC_ISSUER_URL`' },
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
  const clockStart = dateTime(env, 'CLOCK_START');
  if (clockStart && clock !== 'simulated') throw new ConfigError('CLOCK_START', 'is used only with CLOCK=simulated');
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
    clockStart,
    engineAuth,
    engineThreads: count(env, 'ENGINE_THREADS', 2, 16),
    sessionIdleMinutes: positiveInteger(env, 'SESSION_IDLE_MINUTES', 30, 24 * 60),
    sessionMaxHours: positiveInteger(env, 'SESSION_MAX_HOURS', 12, 24 * 7),
    cookieSecure,
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    loginRateLimit: positiveInteger(env, 'LOGIN_RATE_LIMIT', 10, 10_000),
    ...workers(env),
    ...mail(env),
    ...demo(env, production),
    retentionYears: positiveInteger(env, 'RETENTION_YEARS', 5, 100),
    retentionHealthYears: positiveInteger(env, 'RETENTION_HEALTH_YEARS', 10, 100),
    ...oidc(env),
  });
}

function demo(env: Env, production: boolean) {
  const demoOn = oneOf(env, 'DEMO', ['0', '1'] as const, '0') === '1';
  if (production && demoOn) throw new ConfigError('DEMO', 'must not be "1" when NODE_ENV=production');
  const demoPassword = text(env, 'DEMO_PASSWORD');
  if (demoOn && !demoPassword) throw new ConfigError('DEMO_PASSWORD', 'must be set when DEMO=1');
  if (demoPassword !== undefined && demoPassword.length < 12) {
    throw new ConfigError('DEMO_PASSWORD', 'must have at least 12 characters');
  }
  return { demo: demoOn, demoPassword };
}

function oidc(env: Env) {
  const oidcIssuerUrl = httpUrl(env, 'OIDC_ISSUER_URL');
  const oidcClientId = text(env, 'OIDC_CLIENT_ID');
  const oidcClientSecret = text(env, 'OIDC_CLIENT_SECRET');
  if (oidcIssuerUrl && (!oidcClientId || !oidcClientSecret)) {
    throw new ConfigError(oidcClientId ? 'OIDC_CLIENT_SECRET' : 'OIDC_CLIENT_ID', 'must be set when OIDC_ISSUER_URL is set');
  }
  if (!oidcIssuerUrl && (oidcClientId || oidcClientSecret)) {
    throw new ConfigError('OIDC_ISSUER_URL', 'must be set when OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is set');
  }
  return { oidcIssuerUrl, oidcClientId, oidcClientSecret };
}

function workers(env: Env) {
  const workersEngineUrl = httpUrl(env, 'WORKERS_ENGINE_URL');
  const workersClientId = text(env, 'WORKERS_CLIENT_ID');
  const workersClientSecret = text(env, 'WORKERS_CLIENT_SECRET');
  // Half a credential is a typo, not a choice: say so at start rather than get 401s later.
  if ((workersClientId === undefined) !== (workersClientSecret === undefined)) {
    throw new ConfigError(workersClientId ? 'WORKERS_CLIENT_SECRET' : 'WORKERS_CLIENT_ID', 'must be set together with its partner');
  }
  if (workersClientId && !workersEngineUrl) {
    throw new ConfigError('WORKERS_CLIENT_ID', 'is used only with WORKERS_ENGINE_URL (the own engine gets an internal credential)');
  }
  const workersOauthUrl = httpUrl(env, 'WORKERS_OAUTH_URL');
  if (workersOauthUrl && !workersClientId) throw new ConfigError('WORKERS_OAUTH_URL', 'needs WORKERS_CLIENT_ID and WORKERS_CLIENT_SECRET');
  const workersProtocol = oneOf(env, 'WORKERS_PROTOCOL', ['camunda8', 'camunda7', 'off'] as const, 'camunda8');
  if (workersOauthUrl && workersProtocol === 'camunda7') {
    throw new ConfigError('WORKERS_OAUTH_URL', 'is used only with WORKERS_PROTOCOL=camunda8 (Camunda 7 workers use HTTP Basic)');
  }
  return {
    workersProtocol,
    workersEngineUrl,
    workersClientId,
    workersClientSecret,
    workersOauthUrl,
  };
}

function mail(env: Env) {
  const smtpUrl = text(env, 'SMTP_URL');
  if (smtpUrl !== undefined) {
    let protocol: string;
    try {
      protocol = new URL(smtpUrl).protocol;
    } catch {
      // Not echoed: the URL can carry the mail server's password.
      throw new ConfigError('SMTP_URL', 'is not a URL (expected smtp://user:password@host:587)');
    }
    if (protocol !== 'smtp:' && protocol !== 'smtps:') {
      throw new ConfigError('SMTP_URL', `must start with smtp:// or smtps:// (got "${protocol}//")`);
    }
  }
  const mailFrom = text(env, 'MAIL_FROM');
  if (mailFrom !== undefined && !/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(mailFrom)) {
    throw new ConfigError('MAIL_FROM', `must be an e-mail address, optionally as "Name <address>" (got "${mailFrom}")`);
  }
  if (smtpUrl && !mailFrom) throw new ConfigError('MAIL_FROM', 'must be set when SMTP_URL is set');
  return { smtpUrl, mailFrom };
}

function httpUrl(env: Env, key: string): string | undefined {
  const value = text(env, key);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, `is not a URL (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(key, `must start with http:// or https:// (got "${url.protocol}//")`);
  }
  if (url.username || url.password) throw new ConfigError(key, 'must not carry credentials (use WORKERS_CLIENT_ID/_SECRET)');
  return value;
}

function text(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

/** An ISO 8601 date-time with its offset (`Z` or `±hh:mm`), from year 1970 to 8999. */
function dateTime(env: Env, key: string): Date | undefined {
  const value = text(env, key);
  if (value === undefined) return undefined;
  const date = new Date(value);
  const year = Number(value.slice(0, 4));
  if (!isIsoDateTime(value) || Number.isNaN(date.getTime()) || year < 1970 || year > 8999) {
    throw new ConfigError(key, `must be an ISO 8601 date-time with its offset, e.g. 2027-01-04T08:00:00Z (got "${value}")`);
  }
  return date;
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const value = text(env, key);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

function count(env: Env, key: string, fallback: number, max: number): number {
  const value = text(env, key);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new ConfigError(key, `must be a whole number from 0 to ${max} (got "${value}")`);
  }
  return Number(value);
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
