/**
 * The load generator: `wrk` (C, one thread, keep-alive connections each with one request in
 * flight), pinned to the load core, running wrk-post.lua, whose done() prints the run's figures
 * as one JSON line. The bench installs wrk from Debian when it is missing and it runs as root.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, clkTck } from './processes.js';

const SCRIPT = path.join(BENCH_DIR, 'wrk-post.lua');
/** A request slower than this counts as a timeout error (wrk's default, 2 s, is near a slow round's p99.9). */
const TIMEOUT = '10s';

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The path of `wrk`, installed with `apt-get install -y wrk` first if it is missing and we are root. */
export function ensureWrk(log: (message: string) => void): string {
  const found = onPath('wrk');
  if (found) return found;
  const manual = 'install it (Debian/Ubuntu: `sudo apt-get install wrk`) and run the bench again';
  if (process.getuid?.() !== 0) throw new Error(`wrk is not installed and the bench is not running as root: ${manual}`);
  if (!onPath('apt-get')) throw new Error(`wrk is not installed and there is no apt-get here: ${manual}`);
  const install = (): void => {
    execFileSync('apt-get', ['install', '-y', 'wrk'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  log('wrk is missing: apt-get install -y wrk…');
  try {
    install();
  } catch {
    // A fresh image has no package lists yet.
    log('apt-get install failed: apt-get update, then once more…');
    execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    install();
  }
  const installed = onPath('wrk');
  if (!installed) throw new Error(`apt-get install -y wrk did not give a wrk on the PATH: ${manual}`);
  return installed;
}

/** wrk's version line (`wrk --version` prints it, then its usage, and exits 1). */
export function wrkVersion(wrk: string): string | undefined {
  return spawnSync(wrk, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim();
}

export interface WrkOptions {
  wrk: string;
  /** The core wrk runs on. */
  core: number;
  url: string;
  body: string;
  authorization: string;
  connections: number;
  /** Whole seconds (wrk's resolution). */
  seconds: number;
  /** Text every answer's body must contain (else it counts as an error). */
  expectText: string | undefined;
}

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface WrkResult {
  /** Answers wrk read to their last byte (whatever their status). */
  requests: number;
  durationMs: number;
  rps: number;
  /** Connect/read/write errors, timeouts, non-2xx answers and 2xx answers cut short. */
  errors: number;
  errorDetail: {
    connect: number;
    read: number;
    write: number;
    timeout: number;
    non2xx: number;
    badBody: number;
    firstStatus: number;
  };
  /** Request's first byte sent → answer's last byte read. */
  latencyMs: Latency;
  bytesPerAnswer: number;
  /** wrk's own CPU time per request (10 ms ticks over the run). */
  cpuMsPerReq: number;
}

interface DoneJson {
  requests: number;
  durationUs: number;
  bytes: number;
  errors: WrkResult['errorDetail'] & { status4xx5xx: number };
  latencyUs: Latency;
}

/**
 * Runs wrk, through a shell that prints its own /proc stat once wrk has exited: the children's
 * CPU time there (cutime + cstime) is wrk's, so the load generator's own cost is known too.
 */
export function runWrk(options: WrkOptions): Promise<WrkResult> {
  const wrkArgs = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, `--timeout`, TIMEOUT, '-s', SCRIPT, options.url];
  const shell = '"$@"; code=$?; echo "BENCH_STAT $(cat /proc/$$/stat)"; exit $code';
  const args = ['-c', String(options.core), 'sh', '-c', shell, 'sh', options.wrk, ...wrkArgs];
  const child = spawn('taskset', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BENCH_BODY: options.body,
      BENCH_AUTHORIZATION: options.authorization,
      BENCH_EXPECT_TEXT: options.expectText ?? '',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`wrk ${wrkArgs.join(' ')} failed (exit ${code}):\n${stderr}${stdout}`));
        return;
      }
      // Fields after the command name; cutime and cstime are fields 16 and 17 of /proc/<pid>/stat.
      const stat = stdout.split('\n').find((l) => l.startsWith('BENCH_STAT '));
      const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ') ?? [];
      const wrkCpuMs = stat ? ((Number(fields[13]) + Number(fields[14])) * 1000) / clkTck() : NaN;
      const done = JSON.parse(line.slice('BENCH_JSON '.length)) as DoneJson;
      const e = done.errors;
      const us = (value: number): number => value / 1000;
      resolve({
        requests: done.requests,
        durationMs: done.durationUs / 1000,
        rps: done.durationUs > 0 ? (done.requests * 1e6) / done.durationUs : 0,
        errors: e.connect + e.read + e.write + e.timeout + e.non2xx + e.badBody,
        errorDetail: {
          connect: e.connect,
          read: e.read,
          write: e.write,
          timeout: e.timeout,
          non2xx: e.non2xx,
          badBody: e.badBody,
          firstStatus: e.firstStatus,
        },
        latencyMs: {
          p50: us(done.latencyUs.p50),
          p90: us(done.latencyUs.p90),
          p99: us(done.latencyUs.p99),
          mean: us(done.latencyUs.mean),
          max: us(done.latencyUs.max),
        },
        bytesPerAnswer: done.requests > 0 ? done.bytes / done.requests : 0,
        cpuMsPerReq: done.requests > 0 ? wrkCpuMs / done.requests : NaN,
      });
    });
  });
}

/** The kinds of failed answers of a run, for its log line. */
export function describeErrors(w: WrkResult): string {
  const e = w.errorDetail;
  const parts = Object.entries({
    connect: e.connect,
    read: e.read,
    write: e.write,
    timeout: e.timeout,
    'non-2xx': e.non2xx,
    'cut short': e.badBody,
  }).filter(([, n]) => n > 0);
  return parts.map(([name, n]) => `${n} ${name}`).join(', ') + (e.firstStatus ? ` (first status ${e.firstStatus})` : '');
}
