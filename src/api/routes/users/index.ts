import type { FastifyInstance } from 'fastify';
import { auditActor, recordAudit } from '../../../auth/audit.js';
import { checkPasswordPolicy } from '../../../auth/passwords.js';
import type { Membership, Role } from '../../../auth/roles.js';
import { createUser, InvalidMembershipError, listUsers, UsernameTakenError } from '../../../auth/users.js';
import { errors } from '../../errors.js';
import { routeOf } from '../../plugins/auth.js';
import { membershipSchema, passwordSchema, userSchema, usernameSchema } from './schemas.js';

interface CreateUserBody {
  username: string;
  displayName: string;
  password: string;
  memberships: { role: Role; teamId?: string | null }[];
}

/** `POST /api/users`, `GET /api/users`: account management, admin only, audited. */
export default async function userRoutes(fastify: FastifyInstance) {
  fastify.post<{ Body: CreateUserBody }>(
    '/api/users',
    {
      config: { access: ['admin'] },
      bodyLimit: 16 * 1024,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'displayName', 'password', 'memberships'],
          properties: {
            username: usernameSchema,
            displayName: { type: 'string', minLength: 1, maxLength: 200 },
            password: passwordSchema,
            memberships: { type: 'array', maxItems: 50, items: membershipSchema },
          },
        },
        response: { 201: userSchema },
      },
    },
    async (request, reply) => {
      const { password, memberships, ...rest } = request.body;
      const problem = checkPasswordPolicy(password);
      if (problem) throw new errors.PASSWORD_POLICY(problem);
      try {
        const user = await createUser(
          fastify.db,
          {
            ...rest,
            password,
            memberships: memberships.map((m): Membership => ({ role: m.role, teamId: m.teamId ?? null })),
          },
          { actor: auditActor(request.principal), route: routeOf(request) },
        );
        request.log.info({ userId: user.id }, 'user created');
        return reply.status(201).send(user);
      } catch (error) {
        if (error instanceof UsernameTakenError) throw new errors.USERNAME_TAKEN();
        if (error instanceof InvalidMembershipError) throw new errors.INVALID_MEMBERSHIP(error.message);
        throw error;
      }
    },
  );

  fastify.get(
    '/api/users',
    {
      config: { access: ['admin'] },
      schema: { response: { 200: { type: 'object', properties: { users: { type: 'array', items: userSchema } } } } },
    },
    async (request) => {
      const users = await listUsers(fastify.db);
      await recordAudit(fastify.db, {
        actor: auditActor(request.principal),
        action: 'user.list',
        recordType: 'user',
        route: routeOf(request),
        outcome: 'success',
        details: { count: users.length },
      });
      return { users };
    },
  );
}
