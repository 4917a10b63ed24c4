/** Accounts: signup, login, logout, me. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { GatewayError } from '../../errors.js';
import type { Services } from '../../services.js';
import { parseBody } from '../parse-body.js';
import { SESSION_COOKIE, clearSessionCookie, currentUser, requireSession, setSessionCookie } from '../session.js';

const credentialsSchema = z.object(
  {
    email: z.string({ error: 'email is required (a string).' }),
    password: z.string({ error: 'password is required (a string).' }),
  },
  { error: 'The request body must be a JSON object with email and password.' },
);

const credentials = (body: unknown): z.output<typeof credentialsSchema> => parseBody(credentialsSchema, body);

export function authRoutes(app: FastifyInstance, services: Services): void {
  const secure = services.config.publicUrl?.protocol === 'https:';

  app.post('/api/auth/signup', async (request, reply) => {
    if (services.config.signup === 'closed') {
      throw new GatewayError({
        status: 403,
        type: 'permission_error',
        code: 'signup_closed',
        message: 'Sign-up is closed on this server; ask an admin for an account.',
      });
    }
    const user = await services.accounts.create(credentials(request.body));
    const session = await services.accounts.startSession(user.id);
    setSessionCookie(reply, session.token, session.expiresAt, secure);
    return reply.code(201).send({ user });
  });

  app.post('/api/auth/login', async (request, reply) => {
    const user = await services.accounts.login({ ...credentials(request.body), clientAddress: request.ip });
    const session = await services.accounts.startSession(user.id);
    setSessionCookie(reply, session.token, session.expiresAt, secure);
    return reply.send({ user });
  });

  app.post('/api/auth/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await services.accounts.endSession(token);
    clearSessionCookie(reply, secure);
    return reply.code(204).send();
  });

  app.get('/api/me', { preHandler: requireSession(services.accounts) }, async (request) => ({ user: currentUser(request) }));
}
