/**
 * The `zai` executable (built by `npm run build`, which `npm test` runs first): keygen, help,
 * start-up checks of PROVIDER_KEY_ENCRYPTION_KEY, user create, migrate and key rotation.
 */
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../../src/cli/serve-flags.js';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { decrypt, generateFernetKey, parseFernetKey } from '../../src/crypto/fernet.js';
import { LOG_FLUSH_INTERVAL_MS } from '../../src/logger.js';
import { ApiClient, startZai } from '../helpers/harness.js';
import { json, openAICompletion, startFakeServer } from '../helpers/fake-upstream.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/zai.js');
const run = promisify(execFile);

async function zai(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout, stderr: e.stderr };
  }
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'zai-cli-'));
}

describe('zai CLI', () => {
  it('keygen prints a Fernet key in Python’s format', async () => {
    const { code, stdout } = await zai(['keygen'], {});
    expect(code).toBe(0);
    const key = stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(() => parseFernetKey(key)).not.toThrow();
  });

  it('--help lists every command', async () => {
    const { stdout } = await zai(['--help'], {});
    for (const command of ['serve', 'keygen', 'migrate', 'rotate-encryption-key', 'user']) expect(stdout).toContain(command);
    const user = await zai(['user', 'create', '--help'], {});
    expect(user.stdout).toContain('--email');
  });

  it('refuses to start in production without PROVIDER_KEY_ENCRYPTION_KEY', async () => {
    const { code, stderr } = await zai(['serve'], { NODE_ENV: 'production', ZAI_DATA_DIR: tempDir(), PORT: '0' });
    expect(code).toBe(1);
    expect(stderr).toContain('PROVIDER_KEY_ENCRYPTION_KEY');
    expect(stderr).toContain('zai keygen');
  });

  it('refuses a malformed key, naming the variable and the form but never the value', async () => {
    const bad = 'not-a-fernet-key-SECRETVALUE';
    const { code, stderr } = await zai(['serve'], { PROVIDER_KEY_ENCRYPTION_KEY: bad, ZAI_DATA_DIR: tempDir(), PORT: '0' });
    expect(code).toBe(1);
    expect(stderr).toContain('PROVIDER_KEY_ENCRYPTION_KEY');
    expect(stderr).toContain('url-safe base64');
    expect(stderr).not.toContain('SECRETVALUE');
    const second = await zai(['serve'], {
      PROVIDER_KEY_ENCRYPTION_KEY: `${generateFernetKey()},${bad}`,
      ZAI_DATA_DIR: tempDir(),
      PORT: '0',
    });
    expect(second.code).toBe(1);
    expect(second.stderr).not.toContain('SECRETVALUE');
  });

  it('rejects invalid configuration with a message naming the variable', async () => {
    const { code, stderr } = await zai(['serve'], { PORT: 'eighty', ZAI_DATA_DIR: tempDir() });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be an integer');
    const db = await zai(['migrate'], { DATABASE_URL: 'mysql://user:hunter2@db/x', ZAI_DATA_DIR: tempDir() });
    expect(db.code).toBe(1);
    expect(db.stderr).toContain('DATABASE_URL');
    expect(db.stderr).not.toContain('hunter2');
  });

  it('outside production, creates a 0600 key file on first start, warns, and reuses it', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { PATH: process.env.PATH, ZAI_DATA_DIR: dir, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
      child.stdout.on('data', () => {
        if (out.includes('listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const file = path.join(dir, 'provider-key-encryption.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(file, 'utf8').trim();
    expect(() => parseFernetKey(key)).not.toThrow();
    expect(out).toContain('PROVIDER_KEY_ENCRYPTION_KEY is not set');
    // Started without the launch flags of `npm start`: says which are missing.
    expect(out).toContain('started without the heap settings');
    expect(out).toContain('--max-semi-space-size=4');
    // On glibc (this suite's machines) the malloc setting is named too.
    expect(out).toContain('MALLOC_TRIM_THRESHOLD_');
    expect(out).not.toContain(key);
    expect(fs.existsSync(path.join(dir, 'zai.db'))).toBe(true);
  });

  it('writes log lines to stdout within the flush interval, and everything left at exit', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, BIN, 'serve'], {
      env: {
        ...SERVE_ENV,
        PATH: process.env.PATH,
        ZAI_DATA_DIR: dir,
        PORT: '0',
        PROVIDER_KEY_ENCRYPTION_KEY: generateFernetKey(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const waitFor = (pattern: RegExp, ms: number): Promise<RegExpMatchArray> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(out);
          if (match === null) return;
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve(match);
        };
        const timer = setTimeout(() => reject(new Error(`no ${String(pattern)} within ${ms} ms in: ${out}`)), ms);
        child.stdout.on('data', check);
        check();
      });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [, port] = await waitFor(/listening on http:\/\/[^:]+:(\d+)/, 15_000);
    // One short line is far below the 4 KiB buffer: the timer must write it.
    const sent = performance.now();
    await fetch(`http://127.0.0.1:${port}/api/nothing-here`);
    await waitFor(/"status":404/, 2_000);
    expect(performance.now() - sent).toBeLessThan(LOG_FLUSH_INTERVAL_MS + 500);
    // A line logged right before SIGTERM is not lost.
    await fetch(`http://127.0.0.1:${port}/api/nothing-else`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out.match(/"status":404/g)).toHaveLength(2);
    // Launched as `npm start` launches it: no warning about the heap settings.
    expect(out).not.toContain('heap settings');
  });

  it('user create works when signup is closed; migrate reports the schema state', async () => {
    const dir = tempDir();
    const key = generateFernetKey();
    const created = await zai(['user', 'create', '--email', 'ops@example.com', '--password', 'a long password', '--admin'], {
      ZAI_DATA_DIR: dir,
      PROVIDER_KEY_ENCRYPTION_KEY: key,
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('admin account ops@example.com');
    expect(created.stdout).not.toContain('a long password');
    const migrated = await zai(['migrate'], { ZAI_DATA_DIR: dir });
    expect(migrated.stdout).toContain('up to date');
    const server = await startZai({ ZAI_SIGNUP: 'closed', PROVIDER_KEY_ENCRYPTION_KEY: key }, dir);
    try {
      const api = new ApiClient(server.url);
      expect((await api.signup('new@example.com')).status).toBe(403);
      const login = await api.post('/api/auth/login', { email: 'ops@example.com', password: 'a long password' });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ user: { role: 'admin' } });
    } finally {
      await server.close();
    }
  });

  it('rotation: keys stored under K1 still decrypt after K2,K1 + rotate + K2 alone', async () => {
    const dir = tempDir();
    const k1 = generateFernetKey();
    const k2 = generateFernetKey();
    const seen: string[] = [];
    const fake = await startFakeServer((req, res) => {
      seen.push(String(req.headers.authorization));
      json(res, 200, openAICompletion());
    });
    const secrets = ['sk-rot-aaaaaaaaaaaaaaaa1', 'sk-rot-bbbbbbbbbbbbbbbb2', 'sk-rot-cccccccccccccccc3'];
    // A second key in the first pool: rotation covers every pool key.
    const pooled = 'sk-rot-dddddddddddddddd4';

    let server = await startZai({ PROVIDER_KEY_ENCRYPTION_KEY: k1 }, dir);
    const api = new ApiClient(server.url);
    await api.signup('rotate@example.com');
    const providerIds: string[] = [];
    for (const [i, secret] of secrets.entries()) {
      const created = await api.post('/api/providers', {
        provider: 'openai',
        name: `openai-${i}`,
        api_key: secret,
        base_url: `${fake.url}/v1`,
      });
      providerIds.push(String(created.body.id));
    }
    expect((await api.post(`/api/providers/${providerIds[0]}/keys`, { api_key: pooled, weight: 1 })).status).toBe(201);
    const key = String((await api.post('/api/keys', { name: 'k' })).body.key);
    await server.close();

    // Serving with K2,K1 during the rotation: old tokens still decrypt.
    server = await startZai({ PROVIDER_KEY_ENCRYPTION_KEY: `${k2},${k1}` }, dir);
    const rotation = await zai(['rotate-encryption-key', '--batch-size', '2'], {
      ZAI_DATA_DIR: dir,
      PROVIDER_KEY_ENCRYPTION_KEY: `${k2},${k1}`,
    });
    expect(rotation.code).toBe(0);
    expect(rotation.stdout).toContain('4 re-encrypted');
    for (const secret of [...secrets, pooled]) expect(rotation.stdout + rotation.stderr).not.toContain(secret);
    const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'openai-0/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    await server.close();

    // Rerunning is safe: nothing left to do.
    const again = await zai(['rotate-encryption-key'], { ZAI_DATA_DIR: dir, PROVIDER_KEY_ENCRYPTION_KEY: `${k2},${k1}` });
    expect(again.stdout).toContain('0 re-encrypted, 4 already under the first key');

    server = await startZai({ PROVIDER_KEY_ENCRYPTION_KEY: k2 }, dir);
    const rows = await server.server.services.store.db.selectFrom('provider_keys').select(['key_ciphertext']).execute();
    expect(rows.map((r) => decrypt(parseFernetKey(k2), r.key_ciphertext).toString()).sort()).toEqual([...secrets, pooled].sort());
    const after = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    for (let i = 1; i < 3; i++)
      await after.chat.completions.create({ model: `openai-${i}/gpt-4o-mini`, messages: [{ role: 'user', content: 'x' }] });
    expect(seen.slice(-2)).toEqual(secrets.slice(1).map((s) => `Bearer ${s}`));
    // The pool of openai-0 serves with either of its keys, both decrypted under the new key.
    const pooledSeen = new Set<string>();
    for (let i = 0; i < 40 && pooledSeen.size < 2; i++) {
      await after.chat.completions.create({ model: 'openai-0/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
      pooledSeen.add(seen[seen.length - 1]!);
    }
    expect([...pooledSeen].sort()).toEqual([`Bearer ${secrets[0]}`, `Bearer ${pooled}`].sort());
    await server.close();
    await fake.close();
  });
});
