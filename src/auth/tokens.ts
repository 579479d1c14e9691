/** Random tokens and their stored form. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: session tokens, CSRF tokens, machine secrets, bearer tokens. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 in hex: how tokens are stored, so that a copy of the table cannot be replayed. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the length of a secret does not leak either.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
