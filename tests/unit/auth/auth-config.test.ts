import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

describe('sign-in configuration', () => {
  it('has safe defaults', () => {
    expect(loadConfig({})).toMatchObject({
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      cookieSecure: 'auto',
      trustProxy: false,
      loginRateLimit: 10,
    });
  });

  it('reads every key', () => {
    expect(
      loadConfig({
        SESSION_IDLE_MINUTES: '15',
        SESSION_MAX_HOURS: '8',
        COOKIE_SECURE: 'always',
        TRUST_PROXY: '10.0.0.1, 192.168.0.0/16',
        LOGIN_RATE_LIMIT: '5',
      }),
    ).toMatchObject({
      sessionIdleMinutes: 15,
      sessionMaxHours: 8,
      cookieSecure: 'always',
      trustProxy: ['10.0.0.1', '192.168.0.0/16'],
      loginRateLimit: 5,
    });
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });

  it.each([
    ['SESSION_IDLE_MINUTES', '0'],
    ['SESSION_IDLE_MINUTES', 'soon'],
    ['SESSION_MAX_HOURS', '1000'],
    ['COOKIE_SECURE', 'yes'],
    // "true" would let any client choose its own address and escape the rate limit
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', 'proxy.example'],
    ['LOGIN_RATE_LIMIT', '-1'],
  ])('refuses %s=%s naming the key', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrowError(new RegExp(`^Configuration error: ${key} `));
  });

  it('refuses COOKIE_SECURE=never in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'never' })).toThrowError(
      /COOKIE_SECURE must not be "never" when NODE_ENV=production/,
    );
  });
});
