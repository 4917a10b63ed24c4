/**
 * `npm run bench:usage`: usage analytics at scale (docs/usage-analytics.md records a run).
 *
 * For each store (SQLite, PostgreSQL): seeds BENCH_USAGE_ROWS request rows (default 10 million)
 * over BENCH_USAGE_DAYS days (default 90) of one account — a team's traffic, bench/usage-data.ts —
 * with bulk inserts (indexes dropped and rebuilt), builds the rollups with the real
 * `rebuildRollups`, starts `zai serve` from dist/ on that database, and measures over HTTP:
 *   - GET /api/usage/summary for 24 h, 7 d, 30 d and 90 d (the dashboard's buckets), median and max
 *     of BENCH_USAGE_RUNS runs after one warm-up;
 *   - the first page of GET /api/usage (90 days, with its totals), and filtered by one key;
 *   - GET /api/usage/export of 7 days: rows and MB per second;
 *   - a GET /v1/models probe every 10 ms: p50 / p99 / max while idle, while the summaries run back
 *     to back, and while the export streams.
 * Writes bench/results/usage-latest.json. Builds first (npm run build) unless --no-build.
 * Env: BENCH_USAGE_ROWS, BENCH_USAGE_DAYS, BENCH_USAGE_STORES ("sqlite,postgres"),
 * BENCH_USAGE_RUNS (5), BENCH_USAGE_LOAD_MS (20000), ZAI_TEST_PG_URL.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate, openStore, type Store } from '../src/store/database.js';
import { rebuildRollups } from '../src/usage/rollup-rebuild.js';
import { freePort, ROOT } from './processes.js';
import { createAccount, EMAIL, PASSWORD, seedPostgres, seedSqlite } from './usage-seed.js';

const ROWS = Number(process.env.BENCH_USAGE_ROWS ?? 10_000_000);
const DAYS = Number(process.env.BENCH_USAGE_DAYS ?? 90);
const STORES = (process.env.BENCH_USAGE_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const RUNS = Number(process.env.BENCH_USAGE_RUNS ?? 5);
const LOAD_MS = Number(process.env.BENCH_USAGE_LOAD_MS ?? 20_000);
const PG_ADMIN_URL = process.env.ZAI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ENCRYPTION_KEY = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const PERIODS = [
  { name: '24 h', bucket: '1h', bucketMs: HOUR, buckets: 24 },
  { name: '7 d', bucket: '6h', bucketMs: 6 * HOUR, buckets: 28 },
  { name: '30 d', bucket: '1d', bucketMs: DAY, buckets: 30 },
  { name: '90 d', bucket: '1d', bucketMs: DAY, buckets: 90 },
];

const cleanups: Array<() => Promise<void> | void> = [];
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function startServer(env: Record<string, string>): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin/zai.js'), 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PROVIDER_KEY_ENCRYPTION_KEY: ENCRYPTION_KEY,
      ZAI_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error('zai serve exited');
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('zai serve did not start');
}

async function session(url: string): Promise<{ cookie: string; key: string }> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const post = (p: string, body: unknown) =>
    fetch(`${url}${p}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  await post('/api/providers', { provider: 'openai', api_key: 'sk-bench-0123456789abcdefghijklmnop' });
  const key = await post('/api/keys', { name: 'probe' });
  return { cookie, key: String(key.key) };
}

function stats(values: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN, n: sorted.length };
}

async function timed(url: string, cookie: string): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  const body = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
  return { ms: performance.now() - t0, body };
}

/** GET /v1/models every 10 ms until `stop()`; resolves with the latencies. */
function probe(url: string, key: string): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

function periodUrl(url: string, p: (typeof PERIODS)[number], now: number): string {
  const since = Math.floor(now / p.bucketMs) * p.bucketMs - (p.buckets - 1) * p.bucketMs;
  return `${url}/api/usage/summary?since=${new Date(since).toISOString()}&bucket=${p.bucket}`;
}

async function measure(url: string, cookie: string, key: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const now = Date.now();
  const idle = probe(url, key);
  await new Promise((r) => setTimeout(r, 5000));
  out.probeIdle = stats(await idle.stop());

  const summaries: Record<string, unknown> = {};
  for (const p of PERIODS) {
    const first = await timed(periodUrl(url, p, now), cookie);
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push((await timed(periodUrl(url, p, now), cookie)).ms);
    const body = JSON.parse(first.body) as { totals: { requests: number } };
    summaries[p.name] = { first: first.ms, ...stats(runs), requests: body.totals.requests };
    log(
      `  summary ${p.name}: first ${first.ms.toFixed(0)} ms, median ${stats(runs).p50.toFixed(0)} ms (${body.totals.requests} requests)`,
    );
  }
  out.summaries = summaries;

  const since90 = new Date(now - DAYS * DAY).toISOString();
  const pages: number[] = [];
  for (let i = 0; i < RUNS; i++) pages.push((await timed(`${url}/api/usage?since=${since90}&limit=50`, cookie)).ms);
  const userKey = JSON.parse((await timed(`${url}/api/usage?limit=1`, cookie)).body) as { data: Array<{ key_id: string }> };
  const oneKey = userKey.data[0]?.key_id ?? '';
  const realKeyPages: number[] = [];
  for (let i = 0; i < RUNS; i++)
    realKeyPages.push((await timed(`${url}/api/usage?since=${since90}&limit=50&key_id=${oneKey}`, cookie)).ms);
  out.firstPage = stats(pages);
  out.firstPageOneKey = stats(realKeyPages);
  log(`  first page: ${stats(pages).p50.toFixed(0)} ms; one key ${stats(realKeyPages).p50.toFixed(0)} ms`);

  // Summaries back to back, with the probe running.
  const busy = probe(url, key);
  const until = Date.now() + LOAD_MS;
  let summaryCalls = 0;
  const during: number[] = [];
  while (Date.now() < until) {
    for (const p of PERIODS) {
      during.push((await timed(periodUrl(url, p, now), cookie)).ms);
      summaryCalls += 1;
    }
  }
  out.probeDuringSummaries = { ...stats(await busy.stop()), summaries: summaryCalls, summaryMs: stats(during) };
  log(`  probe during ${summaryCalls} summaries: p99 ${(out.probeDuringSummaries as { p99: number }).p99.toFixed(1)} ms`);

  // Export of 7 days, with the probe running.
  const exporting = probe(url, key);
  const t0 = performance.now();
  const res = await fetch(
    `${url}/api/usage/export?since=${new Date(now - 7 * DAY).toISOString()}&until=${new Date(now).toISOString()}`,
    {
      headers: { cookie },
    },
  );
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 10) lines += 1;
  }
  const seconds = (performance.now() - t0) / 1000;
  out.export = {
    rows: lines - 1,
    mb: bytes / 1e6,
    seconds,
    rowsPerSecond: (lines - 1) / seconds,
    mbPerSecond: bytes / 1e6 / seconds,
  };
  out.probeDuringExport = stats(await exporting.stop());
  log(`  export: ${lines - 1} rows in ${seconds.toFixed(1)} s`);
  return out;
}

async function benchStore(kind: string): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { store: kind, rows: ROWS, days: DAYS, loadBefore: loadavg() };
  const now = Date.now();
  let env: Record<string, string>;
  let store: Store;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-usage-bench-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  if (kind === 'postgres') {
    const name = `zai_usage_bench_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    });
    env = { DATABASE_URL: url.toString(), ZAI_DATA_DIR: dir };
    store = await openStore({ dataDir: dir, databaseUrl: url.toString() });
  } else {
    env = { ZAI_DATA_DIR: dir };
    store = await openStore({ dataDir: dir, databaseUrl: undefined });
  }
  await migrate(store);
  const userId = await createAccount(store);
  log(`${kind}: seeding ${ROWS} rows over ${DAYS} days`);
  let t = performance.now();
  if (kind === 'postgres') {
    await store.close();
    await seedPostgres(env.DATABASE_URL as string, userId, { rows: ROWS, days: DAYS, now, log });
    store = await openStore({ dataDir: dir, databaseUrl: env.DATABASE_URL });
  } else {
    await store.close();
    seedSqlite(path.join(dir, 'zai.db'), userId, { rows: ROWS, days: DAYS, now, log });
    store = await openStore({ dataDir: dir, databaseUrl: undefined });
  }
  result.seedSeconds = (performance.now() - t) / 1000;
  log(`${kind}: seeded in ${(result.seedSeconds as number).toFixed(0)} s; building rollups (rebuildRollups)`);
  t = performance.now();
  const rebuilt = await rebuildRollups(store.db, {
    now,
    onDay: (day, rows) => void (day % (10 * DAY) === 0 && log(`  ${new Date(day).toISOString().slice(0, 10)}: ${rows} rows`)),
  });
  result.rebuildSeconds = (performance.now() - t) / 1000;
  result.rebuildRowsPerSecond = rebuilt.rows / (result.rebuildSeconds as number);
  const minutes = await store.db
    .selectFrom('usage_minute_rollups')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const packs = await store.db
    .selectFrom('usage_rollup_packs')
    .select(['grain', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('grain')
    .execute();
  result.rollupRows = { '60000': Number(minutes.n), ...Object.fromEntries(packs.map((c) => [String(c.grain), Number(c.n)])) };
  await store.close();
  log(`${kind}: rollups built in ${(result.rebuildSeconds as number).toFixed(0)} s: ${JSON.stringify(result.rollupRows)}`);
  if (kind === 'sqlite') {
    const file = path.join(dir, 'zai.db');
    result.sqliteMb = (fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0)) / 1e6;
  }

  const server = await startServer(env);
  const { cookie, key } = await session(server.url);
  Object.assign(result, await measure(server.url, cookie, key));
  result.loadAfter = loadavg();
  const stop = cleanups.pop();
  await stop?.();
  return result;
}

function table(results: Array<Record<string, unknown>>): string {
  const lines = [
    '| | ' + results.map((r) => String(r.store)).join(' | ') + ' |',
    '| --- | ' + results.map(() => '---:').join(' | ') + ' |',
  ];
  const row = (label: string, f: (r: Record<string, unknown>) => string) =>
    lines.push(`| ${label} | ${results.map(f).join(' | ')} |`);
  const ms = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(v < 10 ? 1 : 0)} ms` : '—');
  row('seed (bulk insert + indexes)', (r) => `${(r.seedSeconds as number).toFixed(0)} s`);
  row(
    'rebuild rollups',
    (r) =>
      `${(r.rebuildSeconds as number).toFixed(0)} s (${Math.round(r.rebuildRowsPerSecond as number).toLocaleString('en-US')} rows/s)`,
  );
  row('rollup rows: minute (per series) / hour / day (packs)', (r) => {
    const c = r.rollupRows as Record<string, number>;
    return `${(c['60000'] ?? 0).toLocaleString('en-US')} / ${(c['3600000'] ?? 0).toLocaleString('en-US')} / ${(c['86400000'] ?? 0).toLocaleString('en-US')}`;
  });
  for (const p of PERIODS) {
    row(`summary ${p.name}: median (max) of ${RUNS}`, (r) => {
      const s = (r.summaries as Record<string, { p50: number; max: number; first: number }>)[p.name];
      return s ? `${ms(s.p50)} (${ms(s.max)})` : '—';
    });
  }
  row('summary 24 h, first call (worker start)', (r) => ms((r.summaries as Record<string, { first: number }>)['24 h']?.first));
  row('list, first page (90 d, with totals)', (r) => ms((r.firstPage as { p50: number }).p50));
  row('list, first page of one key', (r) => ms((r.firstPageOneKey as { p50: number }).p50));
  row('export, 7 days', (r) => {
    const e = r.export as { rows: number; rowsPerSecond: number; mbPerSecond: number };
    return `${e.rows.toLocaleString('en-US')} rows, ${Math.round(e.rowsPerSecond).toLocaleString('en-US')} rows/s, ${e.mbPerSecond.toFixed(1)} MB/s`;
  });
  const probeRow = (label: string, k: string) =>
    row(label, (r) => {
      const s = r[k] as { p50: number; p99: number; max: number };
      return `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;
    });
  probeRow('/v1/models probe idle: p50 / p99 / max', 'probeIdle');
  probeRow('… while summaries run back to back', 'probeDuringSummaries');
  probeRow('… while the export streams', 'probeDuringExport');
  row('load average before → after', (r) => `${String(r.loadBefore)} → ${String(r.loadAfter)}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const results: Array<Record<string, unknown>> = [];
  for (const kind of STORES) results.push(await benchStore(kind));
  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'usage-latest.json'),
    JSON.stringify({ at: new Date().toISOString(), cpus: os.cpus().length, results }, null, 2),
  );
  console.log(`\n${os.cpus().length} CPUs, ${ROWS.toLocaleString('en-US')} rows over ${DAYS} days per store\n`);
  console.log(table(results));
}

async function cleanup(): Promise<void> {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
try {
  await main();
} finally {
  await cleanup();
}
