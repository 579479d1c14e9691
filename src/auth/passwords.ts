/** Password hashing with argon2id (OWASP parameters) and the password policy. */
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/**
 * argon2id, 19 MiB, 2 passes, 1 lane: the OWASP recommendation, about 50 ms here. Stated
 * explicitly so that a library default changing does not silently weaken new hashes.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

/** Shortest password accepted for an account (BSI and NIST favour length over composition). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted, so that hashing cannot be used to burn CPU. */
export const MAX_PASSWORD_LENGTH = 256;

/** Hashes `password` as an argon2id PHC string with a fresh random salt. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** True when `password` matches `passwordHash`; false (never a throw) for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password, verified against when the account does not exist, so that an
 * unknown username costs as much time as a wrong password and cannot be told apart.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

/** A random password for a generated account: 144 bits, base64url (24 characters). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Why `password` is not acceptable for an account, or undefined when it is. */
export function checkPasswordPolicy(password: string): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  return undefined;
}
