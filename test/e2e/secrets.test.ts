/**
 * Promise 1 and 2: a pasted provider key is stored only as Fernet ciphertext and never comes back
 * in a response, a log line or the bytes of the database files.
 */
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { decrypt, parseFernetKey } from '../../src/crypto/fernet.js';
import { ApiClient, TEST_ENCRYPTION_KEY, startZai } from '../helpers/harness.js';
import { json, openAICompletion, startFakeServer } from '../helpers/fake-upstream.js';

const CANARY = 'sk-canary-SECRETS-a1b2c3d4e5f6g7h8i9j0';

describe('a pasted provider key', () => {
  it('never appears in responses, logs or the SQLite files, and the stored ciphertext decrypts under the configured key', async () => {
    const fake = await startFakeServer((req, res) => {
      if (req.path === '/v1/models')
        return json(res, 401, { error: { message: `Incorrect API key provided: ${CANARY}`, type: 'invalid_request_error' } });
      return json(res, 200, openAICompletion());
    });
    const zai = await startZai();
    const responses: string[] = [];
    const api = new ApiClient(zai.url);
    const record = async (p: Promise<{ text: string }>) => responses.push((await p).text);

    await record(api.signup('secrets@example.com'));
    const created = await api.post('/api/providers', { provider: 'openai', api_key: CANARY, base_url: `${fake.url}/v1` });
    responses.push(created.text);
    await record(api.get('/api/providers'));
    await record(api.post(`/api/providers/${String(created.body.id)}/test`));
    await record(api.patch(`/api/providers/${String(created.body.id)}`, { api_key: CANARY }));
    // The wrong-provider error must not echo the pasted key either.
    await record(api.post('/api/providers', { provider: 'anthropic', api_key: CANARY }));
    const key = await api.post('/api/keys', { name: 'k' });
    const client = new OpenAI({ apiKey: String(key.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    responses.push(JSON.stringify(Object.fromEntries(response.headers.entries())));
    await record(api.get('/api/usage'));
    await record(api.get('/api/keys'));

    const stored = zai.server.services.store.db.selectFrom('provider_keys').select(['key_ciphertext', 'key_hint']);
    const rows = await stored.execute();
    await zai.close();
    await fake.close();

    for (const text of responses) expect(text).not.toContain(CANARY);
    for (const text of responses) expect(text).not.toContain(CANARY.slice(3, 24));
    expect(zai.logs()).not.toContain(CANARY);
    expect(zai.logs()).not.toContain(CANARY.slice(3, 24));

    const files = ['zai.db', 'zai.db-wal', 'zai.db-shm'].map((f) => path.join(zai.dataDir, f)).filter((f) => fs.existsSync(f));
    expect(files).toContain(path.join(zai.dataDir, 'zai.db'));
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(Buffer.from(CANARY)), file).toBe(false);
      expect(bytes.includes(Buffer.from(CANARY.slice(3, 24))), file).toBe(false);
    }

    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hint).toBe('sk-…i9j0');
    expect(rows[0]!.key_ciphertext.startsWith('gAAAAA')).toBe(true);
    expect(decrypt(parseFernetKey(TEST_ENCRYPTION_KEY), rows[0]!.key_ciphertext).toString('utf8')).toBe(CANARY);
  });
});
