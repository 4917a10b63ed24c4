/**
 * Dashboard sessions and CSRF defence for `/api`: the session cookie (HttpOnly, SameSite=Lax,
 * Secure behind https), and state-changing requests only as JSON from our own origin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { Accounts, User } from '../accounts/accounts.js';
import { GatewayError } from '../errors.js';

export const SESSION_COOKIE = 'zai_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | undefined;
  }
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: number, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

/** A preHandler that requires a live session and sets `request.user`. */
export function requireSession(accounts: Accounts) {
  return async function sessionGuard(request: FastifyRequest): Promise<void> {
    const token = request.cookies[SESSION_COOKIE];
    const user = token ? await accounts.userForSession(token) : undefined;
    if (!user)
      throw new GatewayError({ status: 401, code: 'unauthenticated', message: 'Log in first: this needs a dashboard session.' });
    request.user = user;
  };
}

/** The logged-in user (after `requireSession`). */
export function currentUser(request: FastifyRequest): User {
  if (!request.user)
    throw new GatewayError({ status: 401, code: 'unauthenticated', message: 'Log in first: this needs a dashboard session.' });
  return request.user;
}

/** Who is acting, for the audit log (and the role, for what a provider of theirs may reach). */
export function currentActor(request: FastifyRequest): { userId: string; clientAddress: string; role: User['role'] } {
  const user = currentUser(request);
  return { userId: user.id, clientAddress: request.ip, role: user.role };
}

/** Requires role admin. */
export function requireAdmin(request: FastifyRequest): User {
  const user = currentUser(request);
  if (user.role !== 'admin')
    throw new GatewayError({ status: 403, type: 'permission_error', code: 'forbidden', message: 'Only admins can see this.' });
  return user;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie-authenticated routes: a state-changing request must carry a JSON body
 * type (a cross-site form cannot) and, when the browser says where it comes from, our origin.
 */
export function checkSameOrigin(publicUrl: URL | undefined) {
  return async function sameOrigin(request: FastifyRequest): Promise<void> {
    if (SAFE.has(request.method)) return;
    const type = request.headers['content-type'];
    const hasBody = request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0';
    if (
      (hasBody || request.headers['transfer-encoding'] !== undefined) &&
      !(type ?? '').toLowerCase().startsWith('application/json')
    ) {
      throw new GatewayError({
        status: 415,
        code: 'unsupported_media_type',
        message: 'Send the body as JSON with content-type: application/json.',
      });
    }
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const allowed = publicUrl?.origin ?? `${request.protocol}://${request.headers.host ?? ''}`;
    if (origin !== allowed) {
      throw new GatewayError({
        status: 403,
        type: 'permission_error',
        code: 'foreign_origin',
        message: 'Cross-site requests are not accepted.',
      });
    }
  };
}
