/**
 * What a copy of the database gives an attacker: no Z-AI key, no session, no password. Keys and
 * session tokens are stored as SHA-256 digests only, passwords as salted scrypt hashes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient, startZai } from '../helpers/harness.js';

const sha256 = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

describe('secrets at rest', () => {
  it('the database holds only digests of Z-AI keys and session tokens, and scrypt hashes of passwords', async () => {
    const zai = await startZai({}, undefined);
    const password = 'canaryPASSWORDstoredsecrets';
    const api = new ApiClient(zai.url);
    const signup = await api.signup('stored@example.com', password);
    const token = /zai_session=([^;]+)/.exec(signup.headers.get('set-cookie') ?? '')?.[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(43);
    const created = await api.post('/api/keys', { name: 'k' });
    const key = String(created.body.key);
    expect(key).toMatch(/^zai-[0-9A-Za-z]{43}$/);
    // The key works (it is looked up by its digest).
    expect((await fetch(`${zai.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

    const { db } = zai.server.services.store;
    const keys = await db.selectFrom('api_keys').selectAll().execute();
    const sessions = await db.selectFrom('sessions').selectAll().execute();
    const users = await db.selectFrom('users').selectAll().execute();
    await zai.close();

    expect(keys.map((k) => k.key_hash)).toEqual([sha256(key)]);
    expect(JSON.stringify(keys)).not.toContain(key.slice(4, 24));
    expect(sessions.map((s) => s.token_hash)).toEqual([sha256(token)]);
    expect(JSON.stringify(sessions)).not.toContain(token.slice(0, 20));
    expect(users[0]?.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);

    const files = ['zai.db', 'zai.db-wal', 'zai.db-shm'].map((f) => path.join(zai.dataDir, f)).filter((f) => fs.existsSync(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      for (const secret of [key, key.slice(4, 24), token, token.slice(0, 20), password]) {
        expect(bytes.includes(Buffer.from(secret)), `${path.basename(file)} holds a secret`).toBe(false);
      }
    }
  });
});
