/**
 * Z-AI as the bench runs it: `zai serve` from a built checkout, as production runs it (info logs,
 * discarded; SQLite in a fresh temp dir), with an account, an `openai` provider whose base URL is
 * the fake upstream and an uncapped key without an allow-list — the full path of a request.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../src/cli/serve-flags.js';
import { freePort, spawnNode, type Child } from './processes.js';

/** The provider key the fake upstream is given (it accepts any). */
export const PROVIDER_KEY = 'sk-bench-0123456789abcdefghijklmnop';

/** The management API with a kept session cookie. */
class Management {
  private cookie = '';
  constructor(private readonly base: string) {}

  async call(method: string, route: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.base}${route}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { text };
    }
    if (res.status >= 300) throw new Error(`${method} ${route} → ${res.status}: ${text.slice(0, 300)}`);
    return { status: res.status, json };
  }
}

async function waitHealthy(url: string, child: Child): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`Z-AI exited at start:\n${child.stderr()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Z-AI did not become healthy within 30 s:\n${child.stderr()}`);
}

export interface RunningZai {
  child: Child;
  origin: string;
  /** The Z-AI key the load uses. */
  key: string;
  /** Rows in the account's usage log (the recorder flushes every 250 ms: wait before asking). */
  usageRows(): Promise<number>;
}

export interface ZaiOptions {
  /** `z-ai` or `z-ai-alt`. */
  name: string;
  /** A checkout with bin/, a built dist/, package.json and node_modules. */
  dir: string;
  upstreamOrigin: string;
  /** The core Z-AI is pinned to, all threads, right after it starts. */
  core: number;
  /** Extra node flags (before the script). */
  nodeArgs: string[];
  /** Where the process's data dir is created; the caller removes it. */
  dataDir: string;
}

export async function startZai(options: ZaiOptions): Promise<RunningZai> {
  const bin = path.join(options.dir, 'bin', 'zai.js');
  const encryptionKey = execFileSync(process.execPath, [bin, 'keygen'], { cwd: options.dir, encoding: 'utf8' }).trim();
  const port = await freePort();
  const { child } = await spawnNode({
    name: options.name,
    args: [...SERVE_NODE_FLAGS, ...options.nodeArgs, bin, 'serve'],
    core: options.core,
    env: {
      ...SERVE_ENV,
      PORT: String(port),
      HOST: '127.0.0.1',
      ZAI_DATA_DIR: options.dataDir,
      PROVIDER_KEY_ENCRYPTION_KEY: encryptionKey,
      ZAI_LOG_LEVEL: 'info',
      DATABASE_URL: '',
      REDIS_URL: '',
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitHealthy(origin, child);
  const api = new Management(origin);
  await api.call('POST', '/api/auth/signup', { email: 'bench@example.com', password: 'benchmark password' });
  await api.call('POST', '/api/providers', {
    provider: 'openai',
    api_key: PROVIDER_KEY,
    base_url: `${options.upstreamOrigin}/v1`,
  });
  // The same fake as a self-hosted OpenAI-compatible server: `/v1/responses` on `openai/*` is passed
  // through to OpenAI's own endpoint, so the translated Responses case runs on `local/*`.
  await api.call('POST', '/api/providers', {
    provider: 'custom',
    name: 'local',
    api_key: PROVIDER_KEY,
    base_url: `${options.upstreamOrigin}/v1`,
  });
  const key = await api.call('POST', '/api/keys', { name: 'bench' });
  return {
    child,
    origin,
    key: String(key.json.key),
    async usageRows() {
      const usage = await api.call('GET', '/api/usage?limit=1');
      return Number((usage.json.totals as { requests?: number } | undefined)?.requests ?? NaN);
    },
  };
}

/** A fresh data dir for one Z-AI process. */
export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'zai-bench-'));
}
