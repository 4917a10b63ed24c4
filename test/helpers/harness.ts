/**
 * Starts the real Z-AI server on a loopback port with a fresh data directory, capturing every log
 * line, and offers a tiny cookie-keeping client for the management API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import type { Resolve } from '../../src/egress/upstream-policy.js';
import { startServer, type RunningServer } from '../../src/server.js';

export interface Zai {
  url: string;
  server: RunningServer;
  dataDir: string;
  /** Every log line so far, with the line of every finished request (reported in batches: drained first). */
  logs(): string;
  close(): Promise<void>;
}

export const TEST_ENCRYPTION_KEY = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';

/** The PostgreSQL server of the test machine (trust auth). */
export const PG_ADMIN_URL = process.env.ZAI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Creates an empty database of its own for one test server; returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `zai_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Which storage the suite runs on: the vitest project sets ZAI_TEST_STORE=postgres for the second run. */
export const TEST_STORE = process.env.ZAI_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * Fake upstreams listen on loopback, which by default only admins may reach; most suites sign up
 * several accounts, so they run with ZAI_PRIVATE_UPSTREAMS=all. The suite of that policy sets it
 * itself (and may give the server a resolver of its own, `resolve`).
 */
export async function startZai(
  env: Record<string, string | undefined> = {},
  dataDir?: string,
  options: { resolve?: Resolve } = {},
): Promise<Zai> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'zai-test-'));
  const database = TEST_STORE === 'postgres' && env.DATABASE_URL === undefined ? await createTestDatabase() : undefined;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ZAI_DATA_DIR: dir,
    PROVIDER_KEY_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ZAI_LOG_LEVEL: 'info',
    ZAI_PRIVATE_UPSTREAMS: 'all',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  const server = await startServer(config, { logDestination: sink, resolve: options.resolve });
  return {
    url: server.url,
    server,
    dataDir: dir,
    logs: () => {
      server.services.reporter.drain();
      return lines.join('');
    },
    async close() {
      await server.close();
      await database?.drop();
      saveLogs(lines.join(''));
    },
  };
}

/** Appends a server's log output to the suite's log folder, which the global teardown searches for secrets. */
export function saveLogs(text: string): void {
  const dir = path.resolve('test-artifacts/logs');
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, `${process.pid}.log`), text);
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A management-API client that keeps the session cookie like a browser. */
export class ApiClient {
  private cookie = '';

  constructor(private readonly baseUrl: string) {}

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0] ?? '';
      this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = Record<string, unknown>>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = Record<string, unknown>>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = Record<string, unknown>>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  put<T = Record<string, unknown>>(path: string, body: unknown) {
    return this.request<T>('PUT', path, body);
  }
  delete<T = Record<string, unknown>>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** Signs up (or logs in) and keeps the session. */
  async signup(email: string, password = 'correct horse battery'): Promise<ApiResponse> {
    return this.post('/api/auth/signup', { email, password });
  }
}

/** Signs up a fresh account, pastes an OpenAI-compatible provider pointing at `baseUrl`, and creates a key. */
export async function accountWithKey(
  zai: Zai,
  opts: { email?: string; provider?: string; name?: string; apiKey?: string; baseUrl: string; key?: Record<string, unknown> },
): Promise<{ api: ApiClient; key: string; keyId: string; providerId: string }> {
  const api = new ApiClient(zai.url);
  const signup = await api.signup(opts.email ?? `u${Math.random().toString(36).slice(2)}@example.com`);
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.text}`);
  const provider = await api.post('/api/providers', {
    provider: opts.provider ?? 'openai',
    name: opts.name,
    api_key: opts.apiKey ?? 'sk-test-0123456789abcdefghij',
    base_url: opts.baseUrl,
  });
  if (provider.status !== 201) throw new Error(`provider failed: ${provider.text}`);
  const key = await api.post('/api/keys', { name: 'test', ...(opts.key ?? {}) });
  if (key.status !== 201) throw new Error(`key failed: ${key.text}`);
  return { api, key: String(key.body.key), keyId: String(key.body.id), providerId: String(provider.body.id) };
}
