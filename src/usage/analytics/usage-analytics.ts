/**
 * The gateway thread's side of usage analytics: every usage read of the management API (summary,
 * request list, a request's details, export, the admin's account totals) is answered by a worker thread with its own
 * database connection (analytics-worker.ts), started on first use and stopped after a while idle.
 */
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { Calls, CallMessage, Op, ReplyMessage } from './analytics-calls.js';
import type { SummaryRequest, UsageSummary } from './summary-engine.js';
import type { Cursor, RowsRequest, UsagePage } from './usage-list.js';
import type { ReaderConfig } from './usage-reader.js';

/** Rows per export page: one worker round trip each (~0.5 MB of CSV). */
const EXPORT_PAGE_ROWS = 5000;
const IDLE_MS = 120_000;

/** Run from TypeScript sources (tests, tsx) the worker needs tsx's loader; from dist/ it is plain JS. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

function spawnWorker(config: ReaderConfig): Worker {
  if (!FROM_SOURCE) return new Worker(new URL('./analytics-worker.js', import.meta.url), { workerData: config });
  // A worker's --import does not reach its entry module on Node 20: register tsx first, then load it.
  const entry = JSON.stringify(new URL('./analytics-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); });`, {
    eval: true,
    workerData: config,
  });
}

/** A failure inside the worker, with the database's error code (the error handler maps a lost connection to 503). */
function workerError(message: string, code: string | undefined): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

export class UsageAnalytics {
  private worker: Worker | undefined;
  private readonly pending = new Map<
    number,
    { worker: Worker; resolve: (value: unknown) => void; reject: (err: Error) => void }
  >();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly config: ReaderConfig) {}

  summary(args: SummaryRequest): Promise<UsageSummary> {
    return this.call('summary', args);
  }

  page(args: Calls['page']['args']): Promise<UsagePage> {
    return this.call('page', args);
  }

  /** One request row of the account with its details; undefined when the account has no such row. */
  detail(args: Calls['detail']['args']): Promise<Calls['detail']['result']> {
    return this.call('detail', args);
  }

  accountTotals(): Promise<Calls['accountTotals']['result']> {
    return this.call('accountTotals', {});
  }

  /** The period's rows as CSV, read a page at a time as the client takes them. */
  exportCsv(args: RowsRequest): Readable {
    let after: Cursor | undefined;
    let reading = false;
    const stream = new Readable({
      read: () => {
        if (reading) return;
        reading = true;
        this.call('exportPage', { ...args, after, limit: EXPORT_PAGE_ROWS }).then(
          (page) => {
            reading = false;
            if (stream.destroyed) return;
            after = page.next ?? undefined;
            if (page.csv !== '') stream.push(page.csv);
            if (page.next === null) stream.push(null);
          },
          (err: Error) => stream.destroy(err),
        );
      },
    });
    return stream;
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
    this.failAll(workerError('usage analytics closed', undefined));
  }

  private call<K extends Op>(op: K, args: Calls[K]['args']): Promise<Calls[K]['result']> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    clearTimeout(this.idleTimer);
    return new Promise<Calls[K]['result']>((resolve, reject) => {
      this.pending.set(id, { worker, resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, op, args } satisfies CallMessage<K>);
    });
  }

  private start(): Worker {
    const worker = spawnWorker(this.config);
    worker.on('message', (reply: ReplyMessage) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(workerError(reply.message, reply.code));
      if (this.pending.size === 0) this.armIdleTimer();
    });
    worker.on('error', (err) => this.failAll(err, worker));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(workerError('usage analytics worker stopped', undefined), worker);
    });
    this.worker = worker;
    return worker;
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size > 0 || this.worker === undefined) return;
      const worker = this.worker;
      this.worker = undefined;
      void worker.terminate();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  /** Rejects the calls waiting on `worker` (all calls without one). */
  private failAll(err: Error, worker?: Worker): void {
    for (const [id, waiting] of this.pending) {
      if (worker !== undefined && waiting.worker !== worker) continue;
      this.pending.delete(id);
      waiting.reject(err);
    }
  }
}
