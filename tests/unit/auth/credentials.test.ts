import { describe, expect, it } from 'vitest';
import { parseAuthorization } from '../../../src/auth/machine-credentials.js';
import {
  MAX_PASSWORD_LENGTH,
  checkPasswordPolicy,
  generatePassword,
  hashPassword,
  verifyPassword,
} from '../../../src/auth/passwords.js';
import { createToken, safeEqual, sha256Hex } from '../../../src/auth/tokens.js';

describe('passwords', () => {
  it('are hashed with argon2id at the OWASP parameters and verified', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery stapl')).toBe(false);
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('are never verified against a malformed hash', async () => {
    expect(await verifyPassword('not a hash', 'anything')).toBe(false);
  });

  it('need 12 to 256 characters', () => {
    expect(checkPasswordPolicy('elf chars 1')).toMatch(/at least 12/);
    expect(checkPasswordPolicy('twelve chars')).toBeUndefined();
    expect(checkPasswordPolicy('ü'.repeat(12))).toBeUndefined();
    expect(checkPasswordPolicy('x'.repeat(MAX_PASSWORD_LENGTH + 1))).toMatch(/at most/);
  });

  it('are generated with 144 random bits', () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });
});

describe('tokens', () => {
  it('carry 256 random bits and are stored as SHA-256', () => {
    expect(createToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createToken()).not.toBe(createToken());
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compare equal only when equal, whatever their lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});

describe('Authorization header', () => {
  const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

  it('reads Basic client id and secret (the secret may contain colons)', () => {
    expect(parseAuthorization(basic('worker-1:s3:cr:et'))).toEqual({ scheme: 'basic', clientId: 'worker-1', secret: 's3:cr:et' });
    expect(parseAuthorization(basic('worker-1:s').replace('Basic', 'basic'))).toMatchObject({ clientId: 'worker-1' });
  });

  it('reads a Bearer token', () => {
    expect(parseAuthorization('Bearer abc_DEF-123')).toEqual({ scheme: 'bearer', token: 'abc_DEF-123' });
  });

  it.each([undefined, '', 'Basic', 'Basic !!!', basic('no-colon'), basic(':no-client'), 'Digest abc', 'Bearer a b'])(
    'ignores %j',
    (header) => {
      expect(parseAuthorization(header)).toBeUndefined();
    },
  );
});
