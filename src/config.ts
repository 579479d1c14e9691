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
  { key: 'ENGINE', default: 'embedded', description: '`embedded` or `camunda8`' },
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
