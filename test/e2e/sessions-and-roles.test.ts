/**
 * What the management API's session and role checks promise: admin views are the admin's alone,
 * and behind https the session cookie is never sent in clear.
 */
import { describe, expect, it } from 'vitest';
import { ApiClient, startZai } from '../helpers/harness.js';

describe('roles and the session cookie', () => {
  it('admin views answer 403 to a member and 200 to the admin', async () => {
    const zai = await startZai();
    try {
      const admin = new ApiClient(zai.url);
      const member = new ApiClient(zai.url);
      expect((await admin.signup('admin@example.com')).body).toMatchObject({ user: { role: 'admin' } });
      expect((await member.signup('member@example.com')).body).toMatchObject({ user: { role: 'member' } });
      for (const path of ['/api/admin/accounts', '/api/admin/audit']) {
        const refused = await member.get(path);
        expect(refused.status, path).toBe(403);
        expect(refused.body.error).toMatchObject({ type: 'permission_error', code: 'forbidden' });
        expect((await admin.get(path)).status, path).toBe(200);
      }
    } finally {
      await zai.close();
    }
  });

  it('behind an https ZAI_PUBLIC_URL the session cookie is Secure, and foreign origins are refused', async () => {
    const zai = await startZai({ ZAI_PUBLIC_URL: 'https://zai.example.com' });
    try {
      const api = new ApiClient(zai.url);
      const res = await api.signup('secure@example.com');
      expect(res.status).toBe(201);
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      const foreign = await api.request('POST', '/api/keys', { name: 'x' }, { origin: zai.url });
      expect(foreign.status).toBe(403);
      const own = await api.request('POST', '/api/keys', { name: 'x' }, { origin: 'https://zai.example.com' });
      expect(own.status).toBe(201);
    } finally {
      await zai.close();
    }
  });
});
