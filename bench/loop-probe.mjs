// Preloaded (`node --import`) into Z-AI by bench/tail-probe.ts, never by `npm run bench`: records
// what stops the event loop — garbage collections (a PerformanceObserver), SQLite statements
// (better-sqlite3's run/all/get timed, by SQL text) and every gap of a 1 ms heartbeat longer than
// 2 ms, split into the time the serving thread ran, waited for the core and was blocked — and hands them over the IPC channel on `{ type: 'loop-probe', op: 'reset' | 'read' }`.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';

const gcs = [];
const statements = [];
const gaps = [];

new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push([e.startTime, e.duration, e.detail?.kind ?? 0]);
}).observe({ entryTypes: ['gc'] });

// The better-sqlite3 of the checkout being run (resolved from its bin/zai.js), timed around every call.
try {
  const Database = createRequire(path.resolve(process.argv[1] ?? 'package.json'))('better-sqlite3');
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (sql) {
    const statement = prepare.call(this, sql);
    const shape = sql.replace(/\s+/g, ' ').slice(0, 40);
    for (const method of ['run', 'all', 'get']) {
      const original = statement[method];
      statement[method] = function (...args) {
        const start = performance.now();
        try {
          return original.apply(this, args);
        } finally {
          statements.push([start, performance.now() - start, shape]);
        }
      };
    }
    return statement;
  };
} catch {
  // PostgreSQL deployments have no better-sqlite3 calls to time.
}

// The serving thread's own scheduler counters (Linux): nanoseconds it ran and nanoseconds it was
// ready but waited for the core. A gap's rest is time it was blocked (in a system call: an fsync).
let schedFd;
try {
  schedFd = fs.openSync('/proc/thread-self/schedstat', 'r');
} catch {
  schedFd = undefined;
}
const schedBuf = Buffer.alloc(64);
function sched() {
  if (schedFd === undefined) return [0, 0];
  const n = fs.readSync(schedFd, schedBuf, 0, 64, 0);
  const [run, wait] = schedBuf.toString('latin1', 0, n).split(' ');
  return [Number(run) / 1e6, Number(wait) / 1e6];
}

let last = performance.now();
let [lastRun, lastWait] = sched();
setInterval(() => {
  const now = performance.now();
  const [run, wait] = sched();
  if (now - last > 2) gaps.push([last, now - last, run - lastRun, wait - lastWait]);
  last = now;
  lastRun = run;
  lastWait = wait;
}, 1).unref();

if (typeof process.send === 'function') {
  process.on('message', (message) => {
    if (message === null || typeof message !== 'object' || message.type !== 'loop-probe') return;
    if (message.op === 'reset') {
      gcs.length = 0;
      statements.length = 0;
      gaps.length = 0;
    }
    process.send({ type: 'loop-probe', op: message.op, gcs, statements, gaps });
  });
}
