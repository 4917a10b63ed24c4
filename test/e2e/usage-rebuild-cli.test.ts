/**
 * `zai usage rebuild-rollups` (the built executable): rollups lost or damaged are summed again from
 * the request rows, and a server started afterwards answers the summary as before. And a database
 * whose rows predate the rollups gets them built when it starts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ApiClient, TEST_ENCRYPTION_KEY, startZai } from '../helpers/harness.js';
import { randomRow, seeded, writeRows } from '../helpers/usage-rows.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/zai.js');
const run = promisify(execFile);
const DAY = 86_400_000;
const SHAPE = { keys: ['key_one'], models: ['openai/gpt-4o-mini', 'groq/llama'] };

async function zai(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, ZAI_DATA_DIR: dataDir, PROVIDER_KEY_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Summary {
  totals: { requests: number; cost_nano_usd: number; latency_ms: { p50: number | null; p99: number | null } };
  series: Array<{ requests: number }>;
}

describe('zai usage rebuild-rollups', () => {
  it('sums the rollups again from the rows; a server started on rows without rollups builds them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-rebuild-'));
    const now = Date.now();
    const period = `since=${new Date(now - 6 * DAY).toISOString()}&until=${new Date(now + 60_000).toISOString()}&bucket=1d`;
    let server = await startZai({}, dir);
    const api = new ApiClient(server.url);
    await api.signup('rebuild@example.com');
    const userId = (await api.get<{ user: { id: string } }>('/api/me')).body.user.id;
    const random = seeded(5);
    const rows = Array.from({ length: 2000 }, () =>
      randomRow(random, userId, Math.floor(now - 5 * DAY + random() * 5 * DAY), SHAPE),
    );
    // The rebuild goes day by day from the oldest row's UTC day to its own; how many that is depends
    // on the hour the test runs (and the run may cross midnight).
    const firstDay = Math.floor(Math.min(...rows.map((row) => row.created_at)) / DAY);
    await writeRows(server, rows);
    await server.server.services.usageMaintenance.runOnce();
    const before = await api.get<Summary>(`/api/usage/summary?${period}`);
    expect(before.body.totals.requests).toBe(2000);
    // Damage: a day's hours and minutes lost, minutes doubled, older days' packs emptied.
    const db = server.server.services.store.db;
    for (const table of ['usage_rollup_packs', 'usage_minute_rollups'] as const)
      await db
        .deleteFrom(table)
        .where('bucket_start', '>=', now - 3 * DAY)
        .where('bucket_start', '<', now - 2 * DAY)
        .execute();
    await db.updateTable('usage_minute_rollups').set({ requests: 2 }).where('requests', '=', 1).execute();
    await db
      .updateTable('usage_rollup_packs')
      .set({ body: Buffer.alloc(0) })
      .where('bucket_start', '<', now - 4 * DAY)
      .execute();
    const damaged = await api.get<Summary>(`/api/usage/summary?${period}`);
    expect(damaged.body.totals.requests).not.toBe(2000);
    await server.close();

    const bad = await zai(['usage', 'rebuild-rollups', '--since', 'last week'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--since must be an ISO-8601 time');
    const rebuildFrom = Date.now();
    const rebuilt = await zai(['usage', 'rebuild-rollups'], dir);
    const days = (at: number): number => Math.floor(at / DAY) - firstDay + 1;
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.code).toBe(0);
    const reported = /Rebuilt the usage rollups of (\d+) day\(s\) from 2000 request row\(s\)\./.exec(rebuilt.stdout);
    expect(reported).not.toBeNull();
    expect(Number(reported?.[1])).toBeGreaterThanOrEqual(days(rebuildFrom));
    expect(Number(reported?.[1])).toBeLessThanOrEqual(days(Date.now()));

    server = await startZai({}, dir);
    const again = new ApiClient(server.url);
    await again.post('/api/auth/login', { email: 'rebuild@example.com', password: 'correct horse battery' });
    expect((await again.get<Summary>(`/api/usage/summary?${period}`)).body).toEqual(before.body);

    // A database from before the rollups: rows only. The next start builds them.
    await server.server.services.store.db.deleteFrom('usage_minute_rollups').execute();
    await server.server.services.store.db.deleteFrom('usage_rollup_packs').execute();
    await server.server.services.store.db.deleteFrom('usage_rollup_progress').execute();
    await server.server.services.store.db.deleteFrom('usage_rollup_state').execute();
    await server.close();
    server = await startZai({}, dir);
    const fresh = new ApiClient(server.url);
    await fresh.post('/api/auth/login', { email: 'rebuild@example.com', password: 'correct horse battery' });
    expect((await fresh.get<Summary>(`/api/usage/summary?${period}`)).body).toEqual(before.body);
    expect(server.logs()).toContain('usage rollups built from the existing request rows');
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
