/**
 * The usage rows waiting for their write, oldest first. A row is encoded into one growing byte
 * buffer when it is queued and decoded again when its batch is written: rows wait up to a flush
 * interval, long enough for V8 to copy each row object twice and move it to the old generation,
 * where only full collections free it. Held as bytes they cost the collector nothing (see
 * docs/performance.md, "Waiting usage rows are bytes"). Rows handed back after a failed write
 * stay objects, ahead of the encoded ones (failures are rare), and a write that takes any of them
 * is a retry.
 */
import { USAGE_COLUMN_KINDS as COLUMNS } from './usage-columns.js';
import type { UsageRow } from './usage-recorder.js';

/** Rows taken for one write, with what each settles and the budget period it counts in (0: none). */
export interface TakenRows {
  rows: UsageRow[];
  reservations: Array<string | undefined>;
  periods: number[];
  /**
   * Some of the rows were in a write that failed: its COMMIT may have stored them all the same,
   * so this write asks which ones it inserted (RETURNING). A first write only counts them.
   */
  retry: boolean;
}

/** The reservations some of the rows settle. */
export function settledReservations(reservations: ReadonlyArray<string | undefined>): string[] {
  const settled: string[] = [];
  for (const id of reservations) if (id !== undefined) settled.push(id);
  return settled;
}

const NULL = 0;
const INLINE = 1;
const SHARED = 2;
/** Distinct shared texts remembered while rows wait; past this they are stored inline. */
const MAX_SHARED = 4096;
const INITIAL_BYTES = 64 * 1024;

export class RowQueue {
  /** Rows handed back after a failed write, ahead of the encoded ones. */
  private returned: Omit<TakenRows, 'retry'> = { rows: [], reservations: [], periods: [] };
  private bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  private head = 0;
  private tail = 0;
  private encoded = 0;
  /** Where the next field is read or written. */
  private at = 0;
  /** Shared texts by index, and their indexes; reset whenever no encoded row is left. */
  private shared: string[] = [];
  private sharedIndex = new Map<string, number>();

  get length(): number {
    return this.returned.rows.length + this.encoded;
  }

  push(row: UsageRow, reservationId: string | undefined, period: number): void {
    // Upper bound of the record's size: a UTF-16 unit is at most 3 UTF-8 bytes.
    let bound = 4 + 8 + 5 + 3 * (reservationId?.length ?? 0);
    for (const [column, kind] of COLUMNS) {
      const value = row[column];
      bound += kind === 'number' ? 8 : 5 + 3 * (typeof value === 'string' ? value.length : 0);
    }
    this.reserve(bound);
    const start = this.tail;
    this.at = start + 4;
    this.writeNumber(period);
    this.writeText(reservationId, false);
    for (const [column, kind] of COLUMNS) {
      const value = row[column];
      if (kind === 'number') this.writeNumber(typeof value === 'number' ? value : Number.NaN);
      else this.writeText(typeof value === 'string' ? value : null, kind === 'shared');
    }
    this.bytes.writeUInt32LE(this.at - start, start);
    this.tail = this.at;
    this.encoded += 1;
  }

  /** Removes and returns the oldest `count` rows. */
  take(count: number): TakenRows {
    const fromReturned = Math.min(count, this.returned.rows.length);
    const taken: TakenRows = {
      rows: this.returned.rows.splice(0, fromReturned),
      reservations: this.returned.reservations.splice(0, fromReturned),
      periods: this.returned.periods.splice(0, fromReturned),
      retry: fromReturned > 0,
    };
    for (let i = fromReturned; i < count && this.encoded > 0; i++) this.decodeOldest(taken);
    return taken;
  }

  /** Puts rows taken for a write that failed back in front, in their order. */
  putBack(taken: TakenRows): void {
    this.returned = {
      rows: taken.rows.concat(this.returned.rows),
      reservations: taken.reservations.concat(this.returned.reservations),
      periods: taken.periods.concat(this.returned.periods),
    };
  }

  /** Removes the oldest `count` rows unwritten; returns the reservations they held. */
  drop(count: number): string[] {
    return settledReservations(this.take(count).reservations);
  }

  private decodeOldest(into: TakenRows): void {
    const start = this.head;
    this.at = start + 4;
    const period = this.readNumber();
    const reservation = this.readText();
    // Read in COLUMNS' order (a property's value is read before the next one's): written out, not
    // looped over COLUMNS, so each row is one literal of one shape instead of 24 keyed stores.
    const row: UsageRow = {
      id: this.readText() as string,
      created_at: this.readNumber(),
      user_id: this.readText() as string,
      key_id: this.readText() as string,
      model_requested: this.readText() as string,
      model_served: this.readText(),
      provider: this.readText(),
      status: this.readNumber(),
      error_code: this.readText(),
      prompt_tokens: this.readNumber(),
      completion_tokens: this.readNumber(),
      cached_tokens: this.readNumber(),
      cache_write_tokens: this.readNumber(),
      reasoning_tokens: this.readNumber(),
      cost_nano_usd: this.readNumber(),
      latency_ms: this.readNumber(),
      ttft_ms: this.readNullableNumber(),
      stream: this.readNumber(),
      attempts: this.readNumber(),
      endpoint: this.readText() as UsageRow['endpoint'],
      pool_key_id: this.readText(),
      unpriced: this.readNumber(),
      error_message: this.readText(),
      detail: this.readText(),
    };
    into.rows.push(row);
    into.reservations.push(reservation ?? undefined);
    into.periods.push(period);
    this.head = start + this.bytes.readUInt32LE(start);
    this.encoded -= 1;
    if (this.encoded === 0) this.reset();
  }

  private writeNumber(value: number): void {
    this.at = this.bytes.writeDoubleLE(value, this.at);
  }

  private readNumber(): number {
    const value = this.bytes.readDoubleLE(this.at);
    this.at += 8;
    return value;
  }

  /** A nullable number column is stored as NaN for null (no column holds NaN). */
  private readNullableNumber(): number | null {
    const value = this.readNumber();
    return Number.isNaN(value) ? null : value;
  }

  private writeText(value: string | null | undefined, share: boolean): void {
    const { bytes } = this;
    if (value === null || value === undefined) {
      this.at = bytes.writeUInt8(NULL, this.at);
      return;
    }
    if (share) {
      let index = this.sharedIndex.get(value);
      if (index === undefined && this.shared.length < MAX_SHARED) {
        index = this.shared.push(value) - 1;
        this.sharedIndex.set(value, index);
      }
      if (index !== undefined) {
        this.at = bytes.writeUInt32LE(index, bytes.writeUInt8(SHARED, this.at));
        return;
      }
    }
    const length = bytes.write(value, this.at + 5, 'utf8');
    bytes.writeUInt32LE(length, bytes.writeUInt8(INLINE, this.at));
    this.at += 5 + length;
  }

  private readText(): string | null {
    const { bytes, at } = this;
    const kind = bytes[at];
    if (kind === NULL) {
      this.at = at + 1;
      return null;
    }
    const word = bytes.readUInt32LE(at + 1);
    if (kind === SHARED) {
      this.at = at + 5;
      return this.shared[word] as string;
    }
    this.at = at + 5 + word;
    return bytes.toString('utf8', at + 5, at + 5 + word);
  }

  /** Room for `bound` more bytes at the tail: the live bytes moved to the front, or a larger buffer. */
  private reserve(bound: number): void {
    if (this.tail + bound <= this.bytes.length) return;
    const live = this.tail - this.head;
    const target =
      live + bound <= this.bytes.length / 2 ? this.bytes : Buffer.allocUnsafe(Math.max(2 * this.bytes.length, live + bound));
    // Buffer#copy moves overlapping bytes correctly (memmove).
    this.bytes.copy(target, 0, this.head, this.tail);
    this.bytes = target;
    this.head = 0;
    this.tail = live;
  }

  /** No encoded row left: start over at the front, and give back a buffer grown during a backlog. */
  private reset(): void {
    this.head = 0;
    this.tail = 0;
    this.shared = [];
    this.sharedIndex = new Map();
    if (this.bytes.length > 16 * INITIAL_BYTES) this.bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  }
}
