/** docker-compose.yml cannot run here (no Docker engine): it is checked as data instead. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../src/config.js';

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(await readFile('docker-compose.yml', 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = await readFile('Dockerfile', 'utf8');
const packageJson = await readFile('package.json', 'utf8');

describe('docker-compose.yml', () => {
  const { postgres, app } = compose.services;

  it('runs PostgreSQL 16 with a health check and a named volume', () => {
    expect(postgres.image).toMatch(/^postgres:16(\.|$|-)/);
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(compose.volumes).toHaveProperty('pgdata');
  });

  it('starts the app from the Dockerfile once PostgreSQL is healthy', () => {
    expect(app.build).toBe('.');
    expect(app.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('gives the app a configuration the product accepts, pointing at the postgres service', () => {
    const env = Object.fromEntries(
      Object.entries(app.environment ?? {}).map(([key, value]) => [key, value.replace(/\$\{(\w+):-([^}]*)\}/g, '$2')]),
    );
    for (const key of Object.keys(env)) expect(CONFIG_KEYS.map((k) => k.key)).toContain(key);
    const config = loadConfig(env);
    const db = new URL(config.databaseUrl!);
    expect(db.hostname).toBe('postgres');
    expect(db.username).toBe(postgres.environment?.POSTGRES_USER);
    expect(db.pathname).toBe(`/${postgres.environment?.POSTGRES_DB}`);
    expect(config.production).toBe(true);
    expect(app.ports).toEqual([`127.0.0.1:${config.port}:${config.port}`]);
    expect(config.host).toBe('0.0.0.0');
  });
});

describe('Dockerfile', () => {
  it('installs from the lockfile without telemetry and starts the product entry', () => {
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toContain('IBM_TELEMETRY_DISABLED=true');
    expect(dockerfile).toContain('RUN npm ci');
    // The same node flags (heap limits) as `npm start`.
    const start = JSON.parse(packageJson).scripts.start.split(' ');
    expect(dockerfile).toContain(`CMD ${JSON.stringify(start)}`.replaceAll('","', '", "'));
    expect(dockerfile).toContain('RUN npm run build:ui');
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});

describe('README', () => {
  it('documents every configuration key', async () => {
    const readme = await readFile('README.md', 'utf8');
    for (const { key } of CONFIG_KEYS) expect(readme).toContain(`\`${key}\``);
  });
});
