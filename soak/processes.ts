/**
 * The processes of the soak test: Z-AI from the compiled `bin/zai.js` and the fault-injecting
 * fake upstream, each a direct `node` child (so the pid read in /proc is the process that does the
 * work). Every child is registered and killed when the soak ends, fails or is interrupted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../src/cli/serve-flags.js';
import type { FaultStats } from './fault-upstream.js';

export const SOAK_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(SOAK_DIR, '..');

const live = new Set<ChildProcess>();

/** Last resort on exit: SIGKILL whatever child is left (only the children this module started). */
export function killChildrenSync(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** The environment of a child: the parent's, minus anything that would change what runs. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A loader or flags inherited from a test runner, or a developer's own database, are not part of the soak.
  for (const name of ['NODE_OPTIONS', 'DATABASE_URL', 'REDIS_URL', 'NODE_ENV', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID'])
    delete env[name];
  return { ...env, ...extra };
}

export interface ProcStatus {
  /** Resident set size now, and its peak over the process's life (VmHWM), in KiB. */
  rssKb: number;
  hwmKb: number;
}

/** VmRSS and VmHWM of a process, or undefined once it is gone. */
export function procStatus(pid: number): ProcStatus | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(text);
    if (!rss || !hwm) return undefined;
    return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
  } catch {
    return undefined;
  }
}

/**
 * Resets the kernel's peak-RSS mark (VmHWM) of a process to its current RSS (`5` to
 * /proc/<pid>/clear_refs, Linux ≥ 4.0), so that a later VmHWM is the peak of what came after —
 * not of the setup (signing up hashes a password with scrypt, which takes 32 MiB for a moment).
 * Returns false where the kernel does not allow it.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Open file descriptors of a process (sockets included), or undefined once it is gone. */
export function openFds(pid: number): number | undefined {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;
function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) a process has used so far, or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clkTck();
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has been busy (all cores, everything but idle and iowait), and its core count. */
export function machineBusySeconds(): number | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    return (total - (v[3] ?? 0) - (v[4] ?? 0)) / clkTck();
  } catch {
    return undefined;
  }
}

/** The kernel's count of connections dropped because a listen queue was full (machine-wide, all sockets). */
export function listenOverflows(): number | undefined {
  try {
    const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const names = lines.find((l) => l.startsWith('TcpExt:'))?.split(/\s+/);
    const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]?.split(/\s+/);
    const i = names?.indexOf('ListenOverflows') ?? -1;
    return i > 0 && values ? Number(values[i]) : undefined;
  } catch {
    return undefined;
  }
}

/** The soft limit on open files of this process (what its children inherit). */
export function fdLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ZaiProcess {
  url: string;
  pid: number;
  dataDir: string;
  logFile: string;
  /** Set when the process exited (it must not before `stop`). */
  exit(): { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  stderr(): string;
  /** Deletes the data directory (database and log); call after `stop`. */
  remove(): void;
  /** SIGTERM (graceful shutdown); resolves with the exit code, SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; graceful: boolean }>;
}

export interface ZaiOptions {
  logLevel: string;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** Extra environment (ZAI_* variables) for the child. */
  env?: Record<string, string>;
  /** Extra node flags for Z-AI (diagnosis: `--cpu-prof`, `--heapsnapshot-signal=SIGUSR2`, `--max-semi-space-size=…`). */
  nodeArgs?: string[];
}

/** Log levels at which the `Z-AI is listening` line (info) is written. */
const URL_LINE_LEVELS = new Set(['info', 'debug', 'trace']);

/**
 * Starts `node bin/zai.js serve` on loopback with a fresh data directory and a fresh encryption
 * key. With PORT=0 the URL is read from the JSON log line that carries `"url"` (written at info);
 * at a quieter log level a free port is picked first instead. Logs go to a file in the data dir.
 */
export async function startZai(options: ZaiOptions): Promise<ZaiProcess> {
  const bin = path.join(ROOT, 'bin', 'zai.js');
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-soak-'));
  const encryptionKey = execFileSync(process.execPath, [bin, 'keygen'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: childEnv({}),
  }).trim();
  const port = URL_LINE_LEVELS.has(options.logLevel) ? 0 : await freePort();
  const logFile = path.join(dataDir, 'zai.log');
  const logFd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, ...(options.nodeArgs ?? []), bin, 'serve'], {
    cwd: ROOT,
    env: childEnv({
      ...SERVE_ENV,
      PORT: String(port),
      HOST: '127.0.0.1',
      ZAI_DATA_DIR: dataDir,
      PROVIDER_KEY_ENCRYPTION_KEY: encryptionKey,
      ZAI_LOG_LEVEL: options.logLevel,
      ZAI_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(options.firstByteTimeoutMs),
      ZAI_UPSTREAM_IDLE_TIMEOUT_MS: String(options.idleTimeoutMs),
      ZAI_UPSTREAM_CONNECT_TIMEOUT_MS: String(options.connectTimeoutMs),
      ...options.env,
    }),
    stdio: ['ignore', logFd, 'pipe'],
  });
  fs.closeSync(logFd);
  if (child.pid === undefined) throw new Error('Z-AI did not start');
  live.add(child);
  const pid = child.pid;
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    if (stderr.length < 64_000) stderr += text;
  });
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal, at: Date.now() };
      live.delete(child);
      resolve();
    }),
  );

  const deadline = Date.now() + 30_000;
  let url: string | undefined = port === 0 ? undefined : `http://127.0.0.1:${port}`;
  while (Date.now() < deadline && exitInfo === undefined) {
    if (url === undefined) {
      const text = fs.readFileSync(logFile, 'utf8');
      for (const line of text.split('\n')) {
        if (!line.includes('"url":"http')) continue;
        try {
          const parsed = JSON.parse(line) as { url?: unknown };
          if (typeof parsed.url === 'string') url = parsed.url;
        } catch {
          // a partly written line: read again
        }
      }
    }
    if (url !== undefined) {
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
    }
    await sleep(50);
  }
  if (exitInfo !== undefined) throw new Error(`Z-AI exited at start (code ${String(exitInfo.code)}):\n${stderr}`);
  if (url === undefined || Date.now() >= deadline) {
    child.kill('SIGKILL');
    throw new Error(`Z-AI was not ready within 30 s:\n${stderr}`);
  }

  return {
    url,
    pid,
    dataDir,
    logFile,
    exit: () => exitInfo,
    stderr: () => stderr,
    remove() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    async stop(timeoutMs = 15_000) {
      if (exitInfo !== undefined) return { code: exitInfo.code, signal: exitInfo.signal, graceful: false };
      child.kill('SIGTERM');
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      await exited;
      clearTimeout(timer);
      const info = exitInfo as { code: number | null; signal: NodeJS.Signals | null } | undefined;
      return { code: info?.code ?? null, signal: info?.signal ?? null, graceful: !killed };
    },
  };
}

export interface FakeProcess {
  origin: string;
  pid: number;
  stats(): Promise<FaultStats>;
  stop(): Promise<void>;
}

/** Starts `soak/fault-upstream.ts` as its own node process (tsx loader) and waits for its port. */
export async function startFake(): Promise<FakeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(SOAK_DIR, 'fault-upstream.ts')], {
    cwd: ROOT,
    env: childEnv({ PORT: '0' }),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  if (child.pid === undefined) throw new Error('the fake upstream did not start');
  live.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    if (stderr.length < 64_000) stderr += text;
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  let nextId = 0;
  const pending = new Map<number, (stats: FaultStats) => void>();
  let onReady: (port: number) => void = () => {};
  const ready = new Promise<number>((resolve) => (onReady = resolve));
  child.on('message', (message: { type?: string; port?: number; id?: number; stats?: FaultStats }) => {
    if (message.type === 'ready' && typeof message.port === 'number') onReady(message.port);
    if (message.type === 'stats' && typeof message.id === 'number' && message.stats) {
      pending.get(message.id)?.(message.stats);
      pending.delete(message.id);
    }
  });
  const port = await Promise.race([
    ready,
    exited.then(() => {
      throw new Error(`the fake upstream exited at start:\n${stderr}`);
    }),
    sleep(30_000).then(() => {
      throw new Error(`the fake upstream was not ready within 30 s:\n${stderr}`);
    }),
  ]);
  return {
    origin: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stats: () =>
      new Promise<FaultStats>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the fake upstream did not answer the stats request'));
        }, 10_000);
        pending.set(id, (stats) => {
          clearTimeout(timer);
          resolve(stats);
        });
        child.send({ type: 'stats', id });
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
