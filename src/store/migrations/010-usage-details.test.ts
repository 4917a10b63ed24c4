import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_STORE } from '../../../test/helpers/harness.js';
import { rebuildRollups } from '../../usage/rollup-rebuild.js';
import { ensureSeries } from '../../usage/rollup-writer.js';
import { dimsKey, type SeriesDims } from '../../usage/rollups.js';
import { migrate, openStore, type Store } from '../database.js';

let store: Store | undefined;
let drop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await store?.close();
  await drop?.();
});

const HOUR = 3_600_000;

describe('010-usage-details', () => {
  it('carries every series forward under its id, then splits series by pool key and unpriced', async () => {
    let databaseUrl: string | undefined;
    if (TEST_STORE === 'postgres') {
      const database = await createTestDatabase();
      databaseUrl = database.url;
      drop = database.drop;
    }
    store = await openStore({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'zai-mig-')), databaseUrl });
    const db = store.db;
    await migrate(store, '009-provider-key-pools');
    const at = Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR;
    // Two requests a pool key served, before this migration, and their rollups.
    for (const [id, poolKey] of [
      ['req_1', 'pky_a'],
      ['req_2', 'pky_b'],
    ] as const) {
      await sql`INSERT INTO usage (id, created_at, user_id, key_id, model_requested, model_served, provider, status, error_code,
        prompt_tokens, completion_tokens, cached_tokens, cost_nano_usd, latency_ms, ttft_ms, stream, attempts, endpoint, pool_key_id)
        VALUES (${id}, ${at}, 'usr_1', 'key_1', 'openai/m', 'openai/m', 'openai', 200, NULL, 10, 5, 0, 1000, 40, NULL, 0, 1,
        'chat.completions', ${poolKey})`.execute(db);
    }
    await sql`INSERT INTO usage_series (user_id, key_id, model_requested, model_served, provider, endpoint, status_class)
      VALUES ('usr_1', 'key_1', 'openai/m', 'openai/m', 'openai', 'chat.completions', 2),
             ('usr_1', 'key_1', 'openai/x', '', '', 'chat.completions', 4)`.execute(db);
    const before = await sql<{
      id: number;
      model_requested: string;
    }>`SELECT id, model_requested FROM usage_series ORDER BY id`.execute(db);

    expect(await migrate(store)).toContain('010-usage-details');
    const after = await db.selectFrom('usage_series').selectAll().orderBy('id').execute();
    expect(
      after.map((s) => ({ id: s.id, model_requested: s.model_requested, pool_key_id: s.pool_key_id, unpriced: s.unpriced })),
    ).toEqual(before.rows.map((s) => ({ id: s.id, model_requested: s.model_requested, pool_key_id: '', unpriced: 0 })));
    const rows = await db.selectFrom('usage').select(['id', 'unpriced', 'error_message', 'detail']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'req_1', unpriced: 0, error_message: null, detail: null },
      { id: 'req_2', unpriced: 0, error_message: null, detail: null },
    ]);

    // The same dimensions with another pool key, or unpriced, are other series; the old one is found again.
    const base = after[0] as SeriesDims & { id: number };
    const wanted = new Map<string, SeriesDims>();
    for (const dims of [
      { ...base, pool_key_id: '' },
      { ...base, pool_key_id: 'pky_a' },
      { ...base, pool_key_id: 'pky_a', unpriced: 1 },
    ]) {
      const { id: _id, ...plain } = dims;
      wanted.set(dimsKey(plain), plain);
    }
    const ids = await ensureSeries(db, wanted);
    const values = [...ids.values()];
    expect(values[0]).toBe(base.id);
    expect(new Set(values).size).toBe(3);
    for (const id of values.slice(1)) expect(id).toBeGreaterThan(Math.max(...after.map((s) => s.id)));

    // The rebuild sums the rows again under their pool keys.
    const rebuilt = await rebuildRollups(db);
    expect(rebuilt.rows).toBe(2);
    const split = await db.selectFrom('usage_series').select('pool_key_id').where('model_requested', '=', 'openai/m').execute();
    expect(split.map((s) => s.pool_key_id).sort()).toEqual(['', 'pky_a', 'pky_a', 'pky_b']);

    // Down: the rollups are emptied, to be built again from the rows; up again works.
    await migrate(store, '009-provider-key-pools');
    expect(await db.selectFrom('usage_series').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('usage_rollup_state').selectAll().where('name', '=', 'built').execute()).toEqual([]);
    expect(await migrate(store)).toEqual(['010-usage-details']);
    expect((await rebuildRollups(db)).rows).toBe(2);
  });
});
