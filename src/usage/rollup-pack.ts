/**
 * Hour and day rollups are stored one row per account and bucket, every series packed into one
 * value: reading 90 days is 90 rows (and 90 values to copy out of the database) instead of one row
 * per series and day — the per-row cost, not the summing, is what a long summary spends its time on.
 *
 * A pack is, per series in ascending id: LEB128 varints of series id, requests, prompt, completion
 * and cached tokens, cost (nano-USD), latency sum, TTFT count and TTFT sum; then the byte length
 * and bytes of the latency histogram, and the same for TTFT (store/latency-histogram.ts entries).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import { RollupGroup, type Grain } from './rollups.js';

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** Packs groups (one account, one bucket). */
export function pack(groups: Iterable<RollupGroup>): Buffer {
  const sorted = [...groups].filter((g) => g.requests > 0).sort((a, b) => a.seriesId - b.seriesId);
  const parts: Buffer[] = [];
  for (const g of sorted) {
    const head: number[] = [];
    for (const v of [g.seriesId, g.requests, g.prompt, g.completion, g.cached, g.cost, g.latencySum, g.ttftCount, g.ttftSum])
      writeVarint(head, v);
    const lat = g.latencyBytes();
    const ttft = g.ttftBytes();
    writeVarint(head, lat.length);
    const mid: number[] = [];
    writeVarint(mid, ttft.length);
    parts.push(Buffer.from(head), lat, Buffer.from(mid), ttft);
  }
  return Buffer.concat(parts);
}

/**
 * A cursor over a pack, reused for every series (no object per series): `next()` moves to the next
 * series and fills the fields; histogram bytes are [latFrom, latTo) and [ttftFrom, ttftTo) of `bytes`.
 */
export class PackCursor {
  seriesId = 0;
  requests = 0;
  prompt = 0;
  completion = 0;
  cached = 0;
  cost = 0;
  latencySum = 0;
  ttftCount = 0;
  ttftSum = 0;
  latFrom = 0;
  latTo = 0;
  ttftFrom = 0;
  ttftTo = 0;
  private at = 0;

  constructor(readonly bytes: Uint8Array) {}

  private varint(): number {
    const bytes = this.bytes;
    let value = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = bytes[this.at++] as number;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80);
    return value;
  }

  next(): boolean {
    if (this.at >= this.bytes.length) return false;
    this.seriesId = this.varint();
    this.requests = this.varint();
    this.prompt = this.varint();
    this.completion = this.varint();
    this.cached = this.varint();
    this.cost = this.varint();
    this.latencySum = this.varint();
    this.ttftCount = this.varint();
    this.ttftSum = this.varint();
    const latLength = this.varint();
    this.latFrom = this.at;
    this.latTo = this.at += latLength;
    const ttftLength = this.varint();
    this.ttftFrom = this.at;
    this.ttftTo = this.at += ttftLength;
    return true;
  }
}

/** Adds a pack's series into groups by series id (compaction of days, late rows). */
export function unpackInto(groups: Map<number, RollupGroup>, body: Uint8Array, userId: string, bucket: number): void {
  const c = new PackCursor(body);
  while (c.next()) {
    let g = groups.get(c.seriesId);
    if (g === undefined) groups.set(c.seriesId, (g = new RollupGroup(userId, bucket, c.seriesId)));
    g.addRollup({
      requests: c.requests,
      prompt_tokens: c.prompt,
      completion_tokens: c.completion,
      cached_tokens: c.cached,
      cost_nano_usd: c.cost,
      latency_ms_sum: c.latencySum,
      ttft_count: c.ttftCount,
      ttft_ms_sum: c.ttftSum,
      latency_hist: body.subarray(c.latFrom, c.latTo),
      ttft_hist: body.subarray(c.ttftFrom, c.ttftTo),
    });
  }
}

type Db = Kysely<Database> | Transaction<Database>;

export async function readPack(db: Db, userId: string, grain: Grain, bucket: number): Promise<Uint8Array | undefined> {
  const row = await db
    .selectFrom('usage_rollup_packs')
    .select('body')
    .where('user_id', '=', userId)
    .where('grain', '=', grain)
    .where('bucket_start', '=', bucket)
    .executeTakeFirst();
  return row?.body;
}

/** Replaces the pack of one account and bucket (none when the groups are empty). */
export async function writePack(
  db: Db,
  userId: string,
  grain: Grain,
  bucket: number,
  groups: Iterable<RollupGroup>,
): Promise<void> {
  await db
    .deleteFrom('usage_rollup_packs')
    .where('user_id', '=', userId)
    .where('grain', '=', grain)
    .where('bucket_start', '=', bucket)
    .execute();
  const body = pack(groups);
  if (body.length > 0)
    await db.insertInto('usage_rollup_packs').values({ user_id: userId, grain, bucket_start: bucket, body }).execute();
}
