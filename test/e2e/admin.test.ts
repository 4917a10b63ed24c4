/**
 * Admins over HTTP: disabling an account ends its sessions, refuses its log-in and stops its Z-AI
 * keys at once (official OpenAI SDK against the real server); enabling it brings all of that back;
 * roles change; the audit log of every account names who did what, never a secret.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { ApiClient, accountWithKey, startZai, type Zai } from '../helpers/harness.js';

const PROVIDER_KEY = 'sk-canary-ADMIN-0123456789abcdef';
const MEMBER = 'member@example.com';
const PASSWORD = 'correct horse battery';

let zai: Zai;
let fake: FakeServer;
let admin: ApiClient;
let member: ApiClient;
let memberId = '';
let memberKey = '';

interface Account {
  id: string;
  email: string;
  role: string;
  disabled_at: string | null;
  requests: number;
}

interface AuditEntry {
  action: string;
  user_id: string;
  user_email: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
}

function sdk(key: string): OpenAI {
  return new OpenAI({ apiKey: key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
}

async function chat(key: string): Promise<{ status: number; code?: string | null }> {
  try {
    await sdk(key).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    return { status: 200 };
  } catch (err) {
    if (!(err instanceof OpenAI.APIError)) throw err;
    return { status: err.status ?? 0, code: err.code };
  }
}

async function accounts(): Promise<Account[]> {
  const res = await admin.get<{ data: Account[] }>('/api/admin/accounts');
  expect(res.status).toBe(200);
  return res.body.data;
}

beforeAll(async () => {
  fake = await startFakeServer((req, res) => {
    if (req.path === '/v1/chat/completions') return json(res, 200, openAICompletion({ model: 'gpt-4o-mini' }));
    return json(res, 404, { error: { message: 'not found', type: 'invalid_request_error', code: null } });
  });
  zai = await startZai();
  admin = new ApiClient(zai.url);
  expect((await admin.signup('root@example.com')).body).toMatchObject({ user: { role: 'admin' } });
  const made = await accountWithKey(zai, { email: MEMBER, apiKey: PROVIDER_KEY, baseUrl: `${fake.url}/v1` });
  member = made.api;
  memberKey = made.key;
  memberId = ((await member.get<{ user: { id: string } }>('/api/me')).body.user as { id: string }).id;
});

afterAll(async () => {
  await zai?.close();
  await fake?.close();
});

describe('admin routes', () => {
  it('are for admins only', async () => {
    for (const [method, path] of [
      ['GET', '/api/admin/accounts'],
      ['GET', '/api/admin/audit'],
      ['PATCH', `/api/admin/accounts/${memberId}`],
    ] as const) {
      const res = await member.request(method, path, method === 'PATCH' ? { disabled: true } : undefined);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'forbidden', type: 'permission_error' } });
    }
    const anonymous = new ApiClient(zai.url);
    expect((await anonymous.get('/api/admin/accounts')).status).toBe(401);
    expect(await chat(memberKey)).toEqual({ status: 200 });
  });

  it('lists every account with its role, status and usage', async () => {
    const list = await accounts();
    expect(list.map((a) => [a.email, a.role, a.disabled_at])).toEqual([
      ['root@example.com', 'admin', null],
      [MEMBER, 'member', null],
    ]);
  });

  it('refuses bad changes with the field named, and never the admin’s own account', async () => {
    const bad = [
      [{ role: 'root' }, 'role'],
      [{ disabled: 'yes' }, 'disabled'],
      [{ email: 'x@example.com' }, null],
      [{}, null],
    ] as const;
    for (const [body, param] of bad) {
      const res = await admin.patch(`/api/admin/accounts/${memberId}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid_request', param } });
    }
    expect((await admin.patch('/api/admin/accounts/usr_nobody', { disabled: true })).status).toBe(404);
    const rootId = (await accounts())[0]!.id;
    const self = await admin.patch(`/api/admin/accounts/${rootId}`, { disabled: true });
    expect(self.status).toBe(409);
    expect(self.body).toMatchObject({ error: { code: 'cannot_change_own_account' } });
    expect((await admin.patch(`/api/admin/accounts/${rootId}`, { role: 'member' })).status).toBe(409);
    expect((await admin.get('/api/me')).body).toMatchObject({ user: { role: 'admin' } });
  });

  it('disabling an account ends its sessions, refuses its log-in and stops its keys at once', async () => {
    const upstreamCalls = fake.requests.length;
    const res = await admin.patch<Account>(`/api/admin/accounts/${memberId}`, { disabled: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: memberId, email: MEMBER, disabled_at: expect.any(String) });

    // The open session is gone: the dashboard gets 401.
    expect((await member.get('/api/me')).status).toBe(401);
    expect((await member.get('/api/keys')).status).toBe(401);
    // A correct password is told why; a wrong one learns nothing new.
    const login = await new ApiClient(zai.url).post('/api/auth/login', { email: MEMBER, password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({ error: { code: 'account_disabled' } });
    expect(login.headers.get('set-cookie')).toBeNull();
    const wrong = await new ApiClient(zai.url).post('/api/auth/login', { email: MEMBER, password: 'not the password' });
    expect(wrong.status).toBe(401);

    // The key was cached by the earlier call; it is refused now, before any upstream call.
    expect(await chat(memberKey)).toEqual({ status: 403, code: 'account_disabled' });
    const models = await fetch(`${zai.url}/v1/models`, { headers: { authorization: `Bearer ${memberKey}` } });
    expect(models.status).toBe(403);
    expect(fake.requests.length).toBe(upstreamCalls);

    expect((await accounts()).find((a) => a.id === memberId)?.disabled_at).toEqual(expect.any(String));
  });

  it('enabling it again lets it log in and its keys work', async () => {
    const res = await admin.patch<Account>(`/api/admin/accounts/${memberId}`, { disabled: false });
    expect(res.status).toBe(200);
    expect(res.body.disabled_at).toBeNull();
    const again = new ApiClient(zai.url);
    expect((await again.post('/api/auth/login', { email: MEMBER, password: PASSWORD })).status).toBe(200);
    expect((await again.get('/api/keys')).status).toBe(200);
    expect(await chat(memberKey)).toEqual({ status: 200 });
    member = again;
  });

  it('changes a role, which takes effect on the next request', async () => {
    expect((await admin.patch(`/api/admin/accounts/${memberId}`, { role: 'admin' })).body).toMatchObject({ role: 'admin' });
    expect((await member.get('/api/admin/accounts')).status).toBe(200);
    expect((await member.get('/api/me')).body).toMatchObject({ user: { role: 'admin' } });
    expect((await admin.patch(`/api/admin/accounts/${memberId}`, { role: 'member' })).body).toMatchObject({
      role: 'member',
    });
    expect((await member.get('/api/admin/accounts')).status).toBe(403);
  });

  it('shows the audit log of every account, newest first, by page, with no secret in it', async () => {
    const all = await admin.get<{ data: AuditEntry[]; next_cursor: string | null }>('/api/admin/audit');
    expect(all.status).toBe(200);
    const actions = all.body.data.map((e) => e.action);
    // The member's own actions and the admin's, in one log.
    expect(actions).toEqual(
      expect.arrayContaining(['provider.created', 'key.created', 'account.disabled', 'account.enabled', 'account.role_changed']),
    );
    expect(actions.slice(0, 4)).toEqual(['account.role_changed', 'account.role_changed', 'account.enabled', 'account.disabled']);
    const disabled = all.body.data.find((e) => e.action === 'account.disabled');
    expect(disabled).toMatchObject({ user_email: 'root@example.com', target_id: memberId, details: { email: MEMBER } });
    expect(all.body.data.find((e) => e.action === 'account.role_changed')?.details).toEqual({
      email: MEMBER,
      from: 'admin',
      to: 'member',
    });
    expect(all.body.data.find((e) => e.action === 'key.created')).toMatchObject({ user_email: MEMBER });
    expect(all.text).not.toContain(PROVIDER_KEY);
    expect(all.text).not.toContain(memberKey);

    // One account's entries only.
    const mine = await admin.get<{ data: AuditEntry[] }>(`/api/admin/audit?user_id=${memberId}`);
    expect(new Set(mine.body.data.map((e) => e.user_email))).toEqual(new Set([MEMBER]));

    // Two at a time, following next_cursor, gives the same entries in the same order.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: AuditEntry[]; next_cursor: string | null } } = await admin.get(
        `/api/admin/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.data.map((e) => e.action));
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(paged).toEqual(actions);

    const bad = await admin.get('/api/admin/audit?cursor=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { param: 'cursor' } });
    expect((await admin.get('/api/admin/audit?limit=0')).body).toMatchObject({ error: { param: 'limit' } });
  });
});
