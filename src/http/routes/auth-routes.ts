/** Accounts: signup, login, logout, me. */
import type { FastifyInstance } from 'fastify';
import { GatewayError, invalidRequest } from '../../errors.js';
import type { Services } from '../../services.js';
import { SESSION_COOKIE, clearSessionCookie, currentUser, requireSession, setSessionCookie } from '../session.js';

function credentials(body: unknown): { email: string; password: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.email !== 'string') throw invalidRequest('email is required (a string).', 'email');
  if (typeof b.password !== 'string') throw invalidRequest('password is required (a string).', 'password');
  return { email: b.email, password: b.password };
}

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
