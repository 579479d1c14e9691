/** JSON schemas of accounts, shared by the user and sign-in routes. */
import { MAX_PASSWORD_LENGTH } from '../../../auth/passwords.js';
import { ROLES } from '../../../auth/roles.js';

/** One role membership: a team for caseworker groups and supervisors, none for admin and process-owner. */
export const membershipSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: {
    role: { type: 'string', enum: [...ROLES] },
    teamId: { type: ['string', 'null'], minLength: 1, maxLength: 100 },
  },
} as const;

/** An account as the API shows it: never its password hash. */
export const userSchema = {
  type: 'object',
  required: ['id', 'username', 'displayName', 'active', 'memberships'],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    active: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    memberships: { type: 'array', items: membershipSchema },
  },
} as const;

/** Username rule, identical to the database check (lower-cased before it is stored). */
export const usernameSchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{1,62}$' } as const;

/** A password as sent by a client; the policy (length) is checked by the route for a clear message. */
export const passwordSchema = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } as const;
