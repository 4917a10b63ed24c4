/**
 * The processes under test: spawned as direct `node` children (so their pid is the process that
 * does the work), with `cpu-probe.mjs` preloaded and an IPC channel to read their CPU time, plus
 * /proc readings (CPU ticks, peak RSS, per-core CPU) and core pinning with `taskset`. Every child
 * is registered and killed when the bench exits, fails or is interrupted.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_DIR, '..');
const PROBE = path.join(BENCH_DIR, 'cpu-probe.mjs');

export interface CpuSample {
  /** process.resourceUsage() of the child: user + system CPU, microseconds. */
  cpuUs: number;
  /** utime + stime from /proc/<pid>/stat, in clock ticks (coarse cross-check). */
  ticks: number | undefined;
}

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** The child's stderr so far (for error reports). */
  stderr(): string;
  sample(): Promise<CpuSample>;
  /** Peak resident set size in KiB (/proc VmHWM, since start or the last resetPeakRss; the child's own maxRSS as a fallback). */
  peakRssKb(): Promise<number>;
  stop(): Promise<void>;
}

const children = new Set<Child>();

let clockTicks: number | undefined;
/** Kernel clock ticks per second (`getconf CLK_TCK`, normally 100). */
export function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function procTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size now, in KiB (undefined once the process is gone). */
export function rssKb(pid: number): number | undefined {
  return procStatusKb(pid, 'VmRSS');
}

/**
 * Resets the kernel's peak-RSS mark (VmHWM) of a process to its current RSS (`5` to
 * /proc/<pid>/clear_refs, Linux ≥ 4.0), so that a later VmHWM is the peak of what came after.
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

/**
 * Pins every thread of a process to one core (`taskset -a -c -p`). Threads it starts later
 * inherit the pinning of the thread that starts them.
 */
export function pinToCore(pid: number, core: number): void {
  try {
    execFileSync('taskset', ['-a', '-c', '-p', String(core), String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `could not pin process ${pid} to core ${core} with taskset (util-linux)${stderr ? `: ${stderr}` : ''}; the bench needs two cores it may use, 0 and 1`,
      { cause: err },
    );
  }
}

/** Threads of a process not pinned to exactly `core` (their names and allowed cores), from /proc. */
export function threadsOffCore(pid: number, core: number): string[] {
  const off: string[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const allowed = /^Cpus_allowed_list:\s+(\S+)/m.exec(status)?.[1];
      if (allowed !== String(core)) off.push(`${/^Name:\s+(.*)$/m.exec(status)?.[1] ?? tid} on ${allowed ?? '?'}`);
    } catch {
      // the thread ended
    }
  }
  return off;
}

/** Busy and total CPU time of each core since boot (jiffies), from /proc/stat. */
export function coreTimes(): Map<number, { busy: number; total: number }> {
  const out = new Map<number, { busy: number; total: number }>();
  for (const line of fs.readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const fields = (match[2] ?? '').trim().split(/\s+/).map(Number);
    const total = fields.reduce((sum, v) => sum + v, 0);
    // idle + iowait are the time the core did nothing.
    out.set(Number(match[1]), { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total });
  }
  return out;
}

/** Where compileScript writes the plain JavaScript it makes. */
const SCRIPTS_DIR = path.join(BENCH_DIR, 'results', '.build');

/**
 * Turns a self-contained bench script (node: imports only) into plain JavaScript, so the fake
 * upstream and the bare proxy run on bare `node` like Z-AI's `dist/` does, without a TypeScript
 * loader resident in the measured process. Returns the path of the .mjs file.
 */
export function compileScript(file: string): string {
  const source = fs.readFileSync(path.join(BENCH_DIR, file), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    fileName: file,
  });
  fs.mkdirSync(SCRIPTS_DIR, { recursive: true });
  const out = path.join(SCRIPTS_DIR, file.replace(/\.ts$/, '.mjs'));
  fs.writeFileSync(out, outputText);
  return out;
}

/** A free loopback port (for Z-AI, whose own logs would otherwise be the only place to learn it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The fake OpenAI-compatible upstream (fake-upstream.ts) pinned to `core`, and its origin. */
export async function startFakeUpstream(core: number): Promise<{ child: Child; origin: string }> {
  const { child, port } = await spawnNode({
    name: 'fake-upstream',
    args: [compileScript('fake-upstream.ts')],
    env: {},
    core,
    readyMessage: true,
  });
  return { child, origin: `http://127.0.0.1:${port}` };
}

/** Extra node flags from an environment variable (space-separated). */
export function nodeArgsFrom(variable: string): string[] {
  return (process.env[variable] ?? '').split(' ').filter((arg) => arg !== '');
}

export interface SpawnOptions {
  name: string;
  /** Arguments after `node --import cpu-probe.mjs`. */
  args: string[];
  env: Record<string, string>;
  /** Pin the child (all its threads) to this core right after it starts. */
  core?: number;
  /** Wait for the child's `{ type: 'ready', port }` IPC message. stdout always goes to /dev/null
   * (logs are written, as in production, and discarded); stderr is kept for error reports. */
  readyMessage?: boolean;
}

/** Spawns a measured node child; resolves with the child and, if `readyMessage`, the port it reported. */
export async function spawnNode(options: SpawnOptions): Promise<{ child: Child; port: number | undefined }> {
  const devNull = fs.openSync('/dev/null', 'w');
  const proc = spawn(process.execPath, ['--import', PROBE, ...options.args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', devNull, 'pipe', 'ipc'],
  });
  fs.closeSync(devNull);
  let stderr = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (text: string) => {
    if (stderr.length < 64_000) stderr += text;
  });
  if (proc.pid === undefined) throw new Error(`${options.name} did not start`);
  const pid = proc.pid;
  if (options.core !== undefined) {
    try {
      pinToCore(pid, options.core);
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  }

  let nextId = 0;
  const pending = new Map<number, (message: { userUs: number; systemUs: number; maxRssKb: number }) => void>();
  let readyResolve: (port: number) => void = () => {};
  const ready = new Promise<number>((resolve) => (readyResolve = resolve));
  proc.on(
    'message',
    (message: { type?: string; id?: number; port?: number; userUs: number; systemUs: number; maxRssKb: number }) => {
      if (message.type === 'ready' && typeof message.port === 'number') readyResolve(message.port);
      if (message.type === 'probe' && typeof message.id === 'number') {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  const probe = (): Promise<{ userUs: number; systemUs: number; maxRssKb: number }> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${options.name} did not answer the CPU probe`));
      }, 10_000);
      pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      proc.send({ type: 'probe', id });
    });

  const child: Child = {
    name: options.name,
    pid,
    process: proc,
    stderr: () => stderr,
    async sample() {
      const ticks = procTicks(pid);
      const usage = await probe();
      return { cpuUs: usage.userUs + usage.systemUs, ticks };
    },
    async peakRssKb() {
      return procStatusKb(pid, 'VmHWM') ?? (await probe()).maxRssKb;
    },
    async stop() {
      children.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  children.add(child);

  if (!options.readyMessage) return { child, port: undefined };
  const port = await Promise.race([
    ready,
    exited.then(() => {
      throw new Error(`${options.name} exited before it was ready:\n${stderr}`);
    }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${options.name} was not ready within 20 s:\n${stderr}`)), 20_000),
    ),
  ]);
  return { child, port };
}

/** Stops every child still running (graceful first). */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => child.stop()));
}

/** Last resort on process exit: synchronous SIGKILL to anything left. */
export function killAllSync(): void {
  for (const child of children) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}
