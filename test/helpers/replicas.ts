/**
 * Several Z-AI processes (the built `bin/zai.js`) sharing one PostgreSQL database and one Redis,
 * as replicas behind a load balancer would; and a private Redis server the tests may stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveLogs } from './harness.js';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../../src/cli/serve-flags.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/zai.js');

export interface Replica {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `zai serve` as a child process, launched as `npm start` launches it (its heap flags: memory
 * is measured on these processes). Like the in-process harness, it lets every account reach the
 * loopback fakes (ZAI_PRIVATE_UPSTREAMS=all) unless `env` says otherwise.
 */
export async function startReplica(env: Record<string, string>): Promise<Replica> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-replica-'));
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, BIN, 'serve'], {
    env: {
      ...SERVE_ENV,
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      ZAI_DATA_DIR: dataDir,
      ZAI_PRIVATE_UPSTREAMS: 'all',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not start:\n${out}`)), 20_000);
    const check = (): void => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => reject(new Error(`replica exited:\n${out}`)));
  });
  return {
    url,
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      saveLogs(out);
      return code;
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A redis-server of the test's own on a free loopback port (so stopping it disturbs no one else). */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not start');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await exited;
    },
  };
}
