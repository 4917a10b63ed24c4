/**
 * Accounts and dashboard sessions: sign-up, log-in, session tokens (stored as SHA-256 digests,
 * with expiry) and the login throttle.
 */
import type { Kysely } from 'kysely';
import { GatewayError, invalidRequest } from '../errors.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../crypto/password.js';
import { newId, randomBase62, sha256Hex } from '../crypto/secrets.js';
import type { Database } from '../store/schema.js';
import type { LoginThrottle } from './login-throttle.js';

export type Role = 'admin' | 'member';

export interface User {
  id: string;
  email: string;
  role: Role;
  created_at: string;
}

/** An account as admins see it: the user, whether it is disabled, and its total usage. */
export interface AccountListing extends User {
  disabled_at: string | null;
}

export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 1024;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function toUser(row: { id: string; email: string; role: Role; created_at: number }): User {
  return { id: row.id, email: row.email, role: row.role, created_at: new Date(row.created_at).toISOString() };
}

/** The answer to a correct password for a disabled account (a wrong one gets the usual 401). */
export function accountDisabled(): GatewayError {
  return new GatewayError({
    status: 403,
    type: 'permission_error',
    code: 'account_disabled',
    message: 'This account is disabled. Ask an admin of this Z-AI server to enable it.',
  });
}

function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (trimmed.length > 320 || !EMAIL.test(trimmed)) throw invalidRequest('email must be a valid email address.', 'email');
  return trimmed;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalidRequest(`password must be at least ${MIN_PASSWORD_LENGTH} characters.`, 'password');
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw invalidRequest(`password must be at most ${MAX_PASSWORD_LENGTH} characters.`, 'password');
  }
}

export interface AccountsOptions {
  db: Kysely<Database>;
  throttle: LoginThrottle;
  sessionTtlMs: number;
}

/** Account and session operations. */
export class Accounts {
  constructor(private readonly options: AccountsOptions) {}

  /** Creates an account; the first account ever created is an admin unless `role` says otherwise. */
  async create(input: { email: string; password: string; role?: Role }): Promise<User> {
    const email = normaliseEmail(input.email);
    checkPassword(input.password);
    const passwordHash = await hashPassword(input.password);
    const { db } = this.options;
    const existing = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (existing)
      throw new GatewayError({
        status: 409,
        message: 'An account with this email already exists.',
        code: 'email_taken',
        param: 'email',
      });
    const count = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const row = {
      id: newId('usr'),
      email,
      password_hash: passwordHash,
      role: input.role ?? (Number(count.n) === 0 ? ('admin' as const) : ('member' as const)),
      created_at: Date.now(),
      disabled_at: null,
    };
    try {
      await db.insertInto('users').values(row).execute();
    } catch (err) {
      // Two sign-ups racing for one email: the unique constraint decides.
      const again = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (again)
        throw new GatewayError({
          status: 409,
          message: 'An account with this email already exists.',
          code: 'email_taken',
          param: 'email',
        });
      throw err;
    }
    return toUser(row);
  }

  /** Checks credentials (throttled per email and per client address); returns the user. */
  async login(input: { email: string; password: string; clientAddress: string }): Promise<User> {
    const email = input.email.trim().toLowerCase();
    const { throttle, db } = this.options;
    await throttle.check([`email:${email}`, `ip:${input.clientAddress}`]);
    const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    // Verify against a dummy hash for unknown emails so timing does not reveal which emails exist.
    const ok = await verifyPassword(input.password, row?.password_hash ?? (await dummyPasswordHash()));
    if (!row || !ok) {
      await throttle.fail([`email:${email}`, `ip:${input.clientAddress}`]);
      throw new GatewayError({ status: 401, message: 'Incorrect email or password.', code: 'invalid_credentials' });
    }
    await throttle.succeed([`email:${email}`]);
    // Said only after the right password, so it reveals nothing about which emails exist.
    if (row.disabled_at !== null) throw accountDisabled();
    return toUser(row);
  }

  /** Starts a session; returns the cookie token (only its digest is stored). */
  async startSession(userId: string): Promise<{ token: string; expiresAt: number }> {
    const token = randomBase62(32);
    const now = Date.now();
    const expiresAt = now + this.options.sessionTtlMs;
    await this.options.db
      .insertInto('sessions')
      .values({ token_hash: sha256Hex(token), user_id: userId, created_at: now, expires_at: expiresAt })
      .execute();
    return { token, expiresAt };
  }

  /** The user of a live session of an enabled account, or undefined. */
  async userForSession(token: string): Promise<User | undefined> {
    const row = await this.options.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.email', 'users.role', 'users.created_at', 'sessions.expires_at'])
      .where('sessions.token_hash', '=', sha256Hex(token))
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!row || row.expires_at <= Date.now()) return undefined;
    return toUser(row);
  }

  /** Ends a session (and sweeps expired ones, which costs nothing extra at this rate). */
  async endSession(token: string): Promise<void> {
    const { db } = this.options;
    await db.deleteFrom('sessions').where('token_hash', '=', sha256Hex(token)).execute();
    await db.deleteFrom('sessions').where('expires_at', '<=', Date.now()).execute();
  }

  /** Admin view: every account with its status, oldest first (their usage totals come from usage analytics). */
  async list(): Promise<AccountListing[]> {
    const rows = await this.options.db
      .selectFrom('users')
      .select(['id', 'email', 'role', 'created_at', 'disabled_at'])
      .orderBy('created_at')
      .execute();
    return rows.map((u) => ({
      ...toUser(u),
      disabled_at: u.disabled_at === null ? null : new Date(u.disabled_at).toISOString(),
    }));
  }
}
