import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: path.resolve('data'),
      logLevel: 'info',
      engine: 'embedded',
      clock: 'system',
      engineAuth: 'credentials',
      production: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every key', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://app@db:5432/uebergang',
      DATA_DIR: '/var/lib/uebergang',
      LOG_LEVEL: 'debug',
      ENGINE: 'camunda8',
      CLOCK: 'simulated',
      ENGINE_AUTH: 'none',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://app@db:5432/uebergang',
      dataDir: '/var/lib/uebergang',
      logLevel: 'debug',
      engine: 'camunda8',
      clock: 'simulated',
      engineAuth: 'none',
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['ENGINE', 'zeebe'],
    ['CLOCK', 'fast'],
    ['ENGINE_AUTH', 'maybe'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://root@localhost/db'],
  ])('refuses %s=%s with a message naming the key', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrowError(new RegExp(`^Configuration error: ${key} `));
  });

  it('starts a simulated clock at CLOCK_START, and refuses it for the system clock or in another shape', () => {
    expect(loadConfig({ CLOCK: 'simulated', CLOCK_START: '2027-01-04T08:00:00Z' }).clockStart).toEqual(new Date('2027-01-04T08:00:00Z'));
    expect(loadConfig({ CLOCK: 'simulated', CLOCK_START: '2027-01-04T09:00+01:00' }).clockStart).toEqual(new Date('2027-01-04T08:00:00Z'));
    expect(loadConfig({ CLOCK: 'simulated' }).clockStart).toBeUndefined();
    expect(() => loadConfig({ CLOCK_START: '2027-01-04T08:00:00Z' })).toThrowError(/^Configuration error: CLOCK_START is used only with CLOCK=simulated/);
    for (const value of ['2027-01-04', '2027-01-04T08:00:00', 'tomorrow', '2027-13-01T00:00:00Z', '9000-01-01T00:00:00Z']) {
      expect(() => loadConfig({ CLOCK: 'simulated', CLOCK_START: value })).toThrowError(/^Configuration error: CLOCK_START must be an ISO 8601 date-time/);
    }
  });

  it('never repeats a database password in its error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'http://app:s3cret@db/x' })).toThrowError(/^(?!.*s3cret)/);
  });

  it.each([
    ['CLOCK', 'simulated'],
    ['ENGINE_AUTH', 'none'],
  ])('refuses %s=%s in production', (key, value) => {
    expect(() => loadConfig({ NODE_ENV: 'production', [key]: value })).toThrowError(
      new RegExp(`${key} must not be "${value}" when NODE_ENV=production`),
    );
    expect(() => loadConfig({ [key]: value })).not.toThrow();
  });

  it('refuses DEMO=1 in production and without a password of 12 characters', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DEMO: '1', DEMO_PASSWORD: 'a-long-password' })).toThrowError(/DEMO must not be "1"/);
    expect(() => loadConfig({ DEMO: '1' })).toThrowError(/DEMO_PASSWORD must be set/);
    expect(() => loadConfig({ DEMO: '1', DEMO_PASSWORD: 'short' })).toThrowError(/DEMO_PASSWORD must have at least 12/);
    expect(loadConfig({ DEMO: '1', DEMO_PASSWORD: 'a-long-password' })).toMatchObject({ demo: true, demoPassword: 'a-long-password' });
    expect(loadConfig({})).toMatchObject({ demo: false, retentionYears: 5, retentionHealthYears: 10, oidcIssuerUrl: undefined });
  });

  it('needs the OIDC issuer, client id and secret together', () => {
    expect(() => loadConfig({ OIDC_ISSUER_URL: 'https://id.example.org/realms/jv' })).toThrowError(/OIDC_CLIENT_ID must be set/);
    expect(() => loadConfig({ OIDC_CLIENT_ID: 'uebergang' })).toThrowError(/OIDC_ISSUER_URL must be set/);
    expect(
      loadConfig({ OIDC_ISSUER_URL: 'https://id.example.org/realms/jv', OIDC_CLIENT_ID: 'uebergang', OIDC_CLIENT_SECRET: 'x' }),
    ).toMatchObject({ oidcIssuerUrl: 'https://id.example.org/realms/jv', oidcClientId: 'uebergang' });
  });
});
