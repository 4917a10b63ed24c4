/**
 * Fault injection: three replicas under steady concurrent load while the network to PostgreSQL or
 * Redis resets, black-holes or cuts one direction, and while replicas die.
 *
 * A and B share PostgreSQL and Redis (Redis ledger); C runs on PostgreSQL alone, on a database of
 * its own (PostgreSQL ledger). Both dependencies are reached through fault proxies. Each fault is
 * held for a few seconds, then healed; every answer is recorded and afterwards checked: no replica
 * crashed, every failure was a 503 answered within 2 s (or a 402 at the cap), every replica served
 * again within 5 s of the heal, each key's usage rows match the answers it got, each key's spend is
 * the sum of the costs its successful answers reported and stays within its cap, and no
 * reservation is left behind. Then: a SIGKILLed replica's reservations are released within 60 s
 * (both ledgers), and a replica sent SIGTERM while the database is down keeps its usage rows.
 *
 * `npm test` runs the short form; `npm run faults` (ZAI_FAULTS=full) holds each fault longer, runs
 * each twice, adds the cut of the requests' direction, and uses the default 30 s lease.
 */
import OpenAI from 'openai';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/crypto/fernet.js';
import { json, openAICompletion, sleep, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { ApiClient, createTestDatabase } from '../helpers/harness.js';
import { startReplica, type Replica } from '../helpers/replicas.js';
import { FaultProxy } from './fault-proxy.js';
import { Load, type Answer } from './load.js';

const FULL = process.env.ZAI_FAULTS === 'full';
/** How long each fault is held. */
const CUT_MS = FULL ? 6000 : 2500;
const LEASE_MS = FULL ? 30_000 : 3000;
/** Every answer that is not a success comes within this. */
const FAIL_FAST_MS = 2000;
/** After a heal, every replica serves again within this. */
const RECOVERY_MS = 5000;
/** One answer costs 12 + 100 tokens at 1 USD per million each way: 112 micro-USD. */
const COST_MICRO = 112;
/** Capped keys hold about forty answers: they run out around the fault. */
const CAP_MICRO = COST_MICRO * 40;
const REDIS = { host: '127.0.0.1', port: 6379 };
const PREFIX = `f${Date.now().toString(36)}:`;

type Fault = 'reset' | 'blackhole' | 'cut replies' | 'cut requests';
const FAULTS: Fault[] = FULL ? ['reset', 'blackhole', 'cut replies', 'cut requests'] : ['reset', 'blackhole', 'cut replies'];
const ROUNDS = FULL ? 2 : 1;

let fake: FakeServer;
let pgProxy: FaultProxy;
let redisProxy: FaultProxy;
let db1: Awaited<ReturnType<typeof createTestDatabase>>;
let db2: Awaited<ReturnType<typeof createTestDatabase>>;
let sql1: pg.Pool;
let sql2: pg.Pool;
let redis: Redis;
let a: Replica;
let b: Replica;
let c: Replica;
const extra: Replica[] = [];
let api1: ApiClient;
let api2: ApiClient;
const encryptionKey = generateFernetKey();

function env(databaseUrl: string, withRedis: boolean): Record<string, string> {
  return {
    DATABASE_URL: pgProxy.rewrite(databaseUrl),
    ...(withRedis ? { REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, ZAI_REDIS_PREFIX: PREFIX } : {}),
    PROVIDER_KEY_ENCRYPTION_KEY: encryptionKey,
    ZAI_RESERVATION_LEASE_MS: String(LEASE_MS),
  };
}

async function account(replica: Replica, email: string): Promise<ApiClient> {
  const api = new ApiClient(replica.url);
  expect((await api.signup(email)).status).toBe(201);
  const provider = await api.post('/api/providers', {
    provider: 'openai',
    api_key: 'sk-faults-0123456789abcdef',
    base_url: `${fake.url}/v1`,
  });
  expect(provider.status).toBe(201);
  for (const model of ['openai/m', 'openai/paced', 'openai/hold']) {
    expect((await api.put('/api/prices', { model, input_usd_per_mtok: 1, output_usd_per_mtok: 1 })).status).toBe(200);
  }
  return api;
}

async function newKey(api: ApiClient, name: string, cap: number | null): Promise<{ id: string; key: string }> {
  const res = await api.post('/api/keys', { name, spend_cap_micro_usd: cap });
  expect(res.status).toBe(201);
  return { id: String(res.body.id), key: String(res.body.key) };
}

beforeAll(async () => {
  fake = await startFakeServer(async (req, res) => {
    const model = (req.json as { model: string }).model;
    // paced: capped keys, so that they run out around the fault; hold: requests kept in flight.
    const delay = model === 'paced' ? 150 : model === 'hold' ? 30_000 : 20;
    await Promise.race([sleep(delay), req.closed]);
    if (res.destroyed) return;
    json(res, 200, openAICompletion({ model, usage: { prompt_tokens: 12, completion_tokens: 100 } }));
  });
  db1 = await createTestDatabase();
  db2 = await createTestDatabase();
  sql1 = new pg.Pool({ connectionString: db1.url, max: 2 });
  sql2 = new pg.Pool({ connectionString: db2.url, max: 2 });
  redis = new Redis(REDIS.port, REDIS.host);
  const pgUrl = new URL(db1.url);
  pgProxy = await FaultProxy.start({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
  redisProxy = await FaultProxy.start(REDIS);
  [a, b, c] = await Promise.all([
    startReplica(env(db1.url, true)),
    startReplica(env(db1.url, true)),
    startReplica(env(db2.url, false)),
  ]);
  api1 = await account(a, 'faults-1@example.com');
  api2 = await account(c, 'faults-2@example.com');
}, 60_000);

afterAll(async () => {
  await Promise.all([a, b, c, ...extra].map((r) => r?.stop('SIGKILL')));
  await sql1?.end();
  await sql2?.end();
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis?.disconnect();
  await pgProxy?.close();
  await redisProxy?.close();
  await fake?.close();
  await db1?.drop();
  await db2?.drop();
}, 60_000);

/** /readyz's status and time; /metrics' count of usage rows waiting for the database, and its time. */
async function probe(replica: Replica): Promise<{ readyz: number; readyMs: number; rowsPending: number; metricsMs: number }> {
  const timed = async (path: string): Promise<{ status: number; text: string; ms: number }> => {
    const start = Date.now();
    // A replica that died answers nothing: status 0.
    const res = await fetch(`${replica.url}${path}`).catch(() => undefined);
    const text = (await res?.text()) ?? '';
    return { status: res?.status ?? 0, text, ms: Date.now() - start };
  };
  const [ready, metrics] = await Promise.all([timed('/readyz'), timed('/metrics')]);
  return {
    readyz: ready.status,
    readyMs: ready.ms,
    rowsPending: Number(/^zai_usage_rows_pending (\d+)$/m.exec(metrics.text)?.[1] ?? -1),
    metricsMs: metrics.ms,
  };
}

afterEach(() => {
  // A failed test must not leave its fault in place for the next.
  pgProxy.heal();
  redisProxy.heal();
});

function inject(proxy: FaultProxy, fault: Fault): void {
  if (fault === 'reset') proxy.reset();
  else if (fault === 'blackhole') proxy.blackhole();
  else proxy.cut(fault === 'cut replies' ? 'replies' : 'requests');
}

function alive(replica: Replica): boolean {
  return replica.child.exitCode === null && replica.child.signalCode === null;
}

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
  return Date.now() - start;
}

interface KeyState {
  rows: number;
  okRows: number;
  spentMicro: number;
  /** The spend the cap is checked against: Redis's counter on the Redis ledger, else the database's. */
  ledgerSpentMicro: number;
  held: number;
}

/** What the database (and Redis, for the Redis ledger) holds for a key. */
async function keyState(sql: pg.Pool, keyId: string, redisLedger: boolean): Promise<KeyState> {
  const usage = await sql.query<{ rows: string; ok: string }>(
    'select count(*) as rows, count(*) filter (where status = 200) as ok from usage where key_id = $1',
    [keyId],
  );
  const key = await sql.query<{ spent: string }>('select spent_nano_usd as spent from api_keys where id = $1', [keyId]);
  const spentMicro = Number(key.rows[0]?.spent ?? 0) / 1000;
  let held: number;
  let ledgerSpentMicro = spentMicro;
  if (redisLedger) {
    const state = await redis.hgetall(`${PREFIX}spend:{${keyId}}:state`);
    held = Number(state.reserved ?? 0);
    // Keys that never reserved (uncapped) have no counter in Redis.
    if (state.spent !== undefined) ledgerSpentMicro = Number(state.spent) / 1000;
  } else {
    const r = await sql.query<{ n: string }>('select count(*) as n from spend_reservations where key_id = $1', [keyId]);
    held = Number(r.rows[0]?.n ?? 0);
  }
  return {
    rows: Number(usage.rows[0]?.rows ?? 0),
    okRows: Number(usage.rows[0]?.ok ?? 0),
    spentMicro,
    ledgerSpentMicro,
    held,
  };
}

/**
 * Every answer except a 401 (revoked key) and a 503 storage_unavailable has a usage row. Such a 503
 * may come from loading the key itself (a cache dropped while the database was away), before the
 * gateway knows the request: it has no row; one from the gateway has.
 */
function expectedRows(answers: Answer[]): { min: number; max: number } {
  const withRow = answers.filter((x) => x.status !== 401);
  return { min: withRow.filter((x) => x.code !== 'storage_unavailable').length, max: withRow.length };
}

async function checkKeys(
  load: Load,
  keys: Array<{ id: string; sql: pg.Pool; redisLedger: boolean; cap: number | null }>,
): Promise<void> {
  for (const key of keys) {
    const answers = load.answers.filter((x) => x.keyId === key.id);
    const ok = answers.filter((x) => x.status === 200);
    const expectedSpend = ok.reduce((sum, x) => sum + x.costMicro, 0);
    const rows = expectedRows(answers);
    let state: KeyState | undefined;
    const rowsMatch = (s: KeyState): boolean => s.rows >= rows.min && s.rows <= rows.max;
    // Rows are written within 250 ms of the database answering; settlements retried every second.
    await until(
      async () => {
        state = await keyState(key.sql, key.id, key.redisLedger);
        return (
          state.okRows === ok.length &&
          rowsMatch(state) &&
          state.spentMicro === expectedSpend &&
          state.ledgerSpentMicro === expectedSpend &&
          state.held === 0
        );
      },
      5000,
      `usage, spend and reservations of ${key.id}`,
    ).catch(() => undefined);
    expect({ key: key.id, ...state, rowsMatch: state !== undefined && rowsMatch(state) }).toEqual({
      key: key.id,
      rows: state?.rows,
      rowsMatch: true,
      okRows: ok.length,
      spentMicro: expectedSpend,
      ledgerSpentMicro: expectedSpend,
      held: 0,
    });
    if (key.cap !== null) expect(expectedSpend).toBeLessThanOrEqual(key.cap);
  }
}

function checkAnswers(load: Load, healAt: number, revokedAfter?: { keyId: string; at: number }): void {
  for (const x of load.answers) {
    // No hang, no internal error, no connection failure: a success, the cap, or a fast 503.
    const allowed =
      x.status === 200 ||
      x.status === 402 ||
      (x.status === 503 && (x.code === 'coordination_unavailable' || x.code === 'storage_unavailable')) ||
      (x.status === 401 && revokedAfter !== undefined && x.keyId === revokedAfter.keyId);
    expect(allowed ? 'ok' : `${x.target}: ${x.status} ${x.code ?? ''}`).toBe('ok');
    if (x.status !== 200) expect(x.ms, `${x.target} ${x.status}`).toBeLessThan(FAIL_FAST_MS);
    // Recovered within 5 s of the heal, and stays so.
    if (x.status === 503) expect(x.start - healAt, `${x.target} 503 after the heal`).toBeLessThan(RECOVERY_MS);
  }
  if (revokedAfter !== undefined) {
    const served = load.answers.filter((x) => x.keyId === revokedAfter.keyId && x.start > revokedAfter.at && x.status === 200);
    expect(served.map((x) => x.target)).toEqual([]);
  }
}

describe('faults under load', () => {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const dependency of ['postgres', 'redis'] as const) {
      for (const fault of FAULTS) {
        it(`${dependency}: ${fault} for ${CUT_MS / 1000} s${ROUNDS > 1 ? ` (round ${round})` : ''}`, async () => {
          const tag = `${dependency}-${fault}-${round}`.replace(/ /g, '-');
          const u1 = await newKey(api1, `u1-${tag}`, null);
          const k1 = await newKey(api1, `k1-${tag}`, CAP_MICRO);
          const u2 = await newKey(api2, `u2-${tag}`, null);
          const k2 = await newKey(api2, `k2-${tag}`, CAP_MICRO);
          const revoked = dependency === 'redis' ? await newKey(api1, `r-${tag}`, null) : undefined;
          const load = new Load();
          load.add('A uncapped', a, u1, 'openai/m', 2);
          load.add('A capped', a, k1, 'openai/paced', 2);
          load.add('B uncapped', b, u1, 'openai/m', 2);
          load.add('B capped', b, k1, 'openai/paced', 2);
          load.add('C uncapped', c, u2, 'openai/m', 2);
          load.add('C capped', c, k2, 'openai/paced', 2);
          if (revoked !== undefined) load.add('B revoked', b, revoked, 'openai/m', 1);
          // Every key is cached on every replica before the fault (a cold key needs the database).
          await until(
            () => load.targets.every((t) => load.answers.some((x) => x.target === t && x.status === 200)),
            5000,
            'warm-up',
          );
          await sleep(300);

          const proxy = dependency === 'postgres' ? pgProxy : redisProxy;
          const cutAt = Date.now();
          inject(proxy, fault);
          let revokedAfter: { keyId: string; at: number } | undefined;
          if (revoked !== undefined) {
            // Once B has noticed the outage, the key is revoked on A (which needs only the
            // database): B must never serve it again, also not right after Redis is back.
            await until(
              () => load.answers.some((x) => x.target.startsWith('B') && x.start >= cutAt && x.status === 503),
              CUT_MS,
              'B noticing the outage',
            );
            expect((await api1.delete(`/api/keys/${revoked.id}`)).status).toBe(204);
            revokedAfter = { keyId: revoked.id, at: Date.now() };
          }
          // Readiness answers within a second, whatever hangs; metrics never wait on the database.
          await sleep(Math.max(0, cutAt + 1200 - Date.now()));
          const probes = await Promise.all([a, b, c].map((r) => probe(r)));
          expect(probes.map((p) => p.readyz)).toEqual(dependency === 'postgres' ? [503, 503, 503] : [503, 503, 200]);
          for (const p of probes) expect([p.readyMs, p.metricsMs].map((ms) => ms < 1000)).toEqual([true, true]);
          if (dependency === 'postgres') expect(probes[2]?.rowsPending).toBeGreaterThan(0);
          await sleep(Math.max(0, cutAt + CUT_MS - Date.now()));
          proxy.heal();
          const healAt = Date.now();

          const recovered = await until(
            () =>
              load.targets
                .filter((t) => t !== 'B revoked')
                .every((t) => load.answers.some((x) => x.target === t && x.start >= healAt && x.status !== 503)),
            RECOVERY_MS,
            'recovery of every replica',
          );
          // Let the capped keys reach their caps after the fault (or give up waiting after 3 s).
          await until(
            () => [k1.id, k2.id].every((id) => load.answers.some((x) => x.keyId === id && x.start >= healAt && x.status === 402)),
            2000,
            'caps',
          ).catch(() => undefined);
          await load.stop();

          expect([a, b, c].map(alive)).toEqual([true, true, true]);
          checkAnswers(load, healAt, revokedAfter);
          await checkKeys(load, [
            { id: u1.id, sql: sql1, redisLedger: true, cap: null },
            { id: k1.id, sql: sql1, redisLedger: true, cap: CAP_MICRO },
            { id: u2.id, sql: sql2, redisLedger: false, cap: null },
            { id: k2.id, sql: sql2, redisLedger: false, cap: CAP_MICRO },
            ...(revoked === undefined ? [] : [{ id: revoked.id, sql: sql1, redisLedger: true, cap: null }]),
          ]);
          console.info(`${tag}: ${load.summary()}; recovered ${recovered} ms after the heal`);
        }, 40_000);
      }
    }
  }
});

describe('replicas that die', () => {
  /** Starts four long requests of a capped key on `victim`, SIGKILLs it, and times how long until `survivor` can spend again. */
  async function strandAndRecover(api: ApiClient, victim: Replica, survivor: () => Promise<Replica>): Promise<number> {
    // Four held requests reserve about 920 of 1000 micro-USD; one more (about 230) needs them back.
    const key = await newKey(api, `kill-${Date.now()}`, 1000);
    fake.requests.length = 0;
    const onVictim = new OpenAI({ apiKey: key.key, baseURL: `${victim.url}/v1`, maxRetries: 0, timeout: 60_000 });
    const held = Array.from({ length: 4 }, () =>
      onVictim.chat.completions
        .create({ model: 'openai/hold', messages: [{ role: 'user', content: 'hi' }], max_tokens: 200 })
        .catch((e: unknown) => e),
    );
    await until(() => fake.requests.filter((r) => (r.json as { model?: string }).model === 'hold').length >= 4, 5000, 'held');
    fake.requests.length = 0;
    await victim.stop('SIGKILL');
    const killedAt = Date.now();
    await Promise.all(held);
    const other = await survivor();
    const client = new OpenAI({ apiKey: key.key, baseURL: `${other.url}/v1`, maxRetries: 0, timeout: 10_000 });
    let refusals = 0;
    await until(
      async () => {
        const res = await client.chat.completions
          .create({ model: 'openai/m', messages: [{ role: 'user', content: 'hi' }], max_tokens: 200 })
          .catch((e: unknown) => e);
        if ((res as { status?: number }).status === 402) refusals += 1;
        return !(res instanceof Error);
      },
      60_000,
      'the dead replica releasing its reservations',
    );
    const released = Date.now() - killedAt;
    // It was refused while the dead replica's reservations were held.
    expect(refusals).toBeGreaterThan(0);
    return released;
  }

  it(`a SIGKILLed replica's Redis reservations are released within 60 s (lease ${LEASE_MS / 1000} s)`, async () => {
    const released = await strandAndRecover(api1, a, async () => b);
    expect(released).toBeLessThan(60_000);
    expect(released).toBeLessThan(LEASE_MS + 5000);
    console.info(`Redis ledger: reservations released ${released} ms after SIGKILL`);
  }, 90_000);

  it(`a SIGKILLed replica's PostgreSQL reservations are released within 60 s (lease ${LEASE_MS / 1000} s)`, async () => {
    const released = await strandAndRecover(api2, c, async () => {
      const replacement = await startReplica(env(db2.url, false));
      extra.push(replacement);
      return replacement;
    });
    expect(released).toBeLessThan(60_000);
    expect(released).toBeLessThan(LEASE_MS + 5000);
    console.info(`PostgreSQL ledger: reservations released ${released} ms after SIGKILL`);
  }, 90_000);

  it('SIGTERM while the database is down keeps retrying the usage rows within the grace period', async () => {
    // A is gone by now: the account's session is taken on B.
    const onB = new ApiClient(b.url);
    expect((await onB.post('/api/auth/login', { email: 'faults-1@example.com', password: 'correct horse battery' })).status).toBe(
      200,
    );
    const key = await newKey(onB, 'sigterm', null);
    const load = new Load();
    load.add('B', b, key, 'openai/m', 4);
    await until(() => load.answers.some((x) => x.status === 200), 5000, 'warm-up');
    pgProxy.blackhole();
    // Served from the caches while the database is away; their rows wait in memory.
    await sleep(1000);
    const exited = new Promise<number | null>((resolve) => b.child.once('exit', (code) => resolve(code)));
    b.child.kill('SIGTERM');
    await sleep(2000);
    expect(alive(b)).toBe(true);
    pgProxy.heal();
    expect(await exited).toBe(0);
    await load.stop();
    const ok = load.answers.filter((x) => x.status === 200).length;
    expect(ok).toBeGreaterThan(10);
    const state = await keyState(sql1, key.id, true);
    expect(state.okRows).toBe(ok);
    expect(state.spentMicro).toBe(ok * COST_MICRO);
    console.info(`SIGTERM with the database down: ${ok} answers, ${state.okRows} rows kept`);
  }, 30_000);
});
