/**
 * The analytics worker thread: answers usage summaries, list pages, request details, export pages
 * and the admin's account totals on its own database connection, so however long a read takes,
 * the thread that serves /v1 never waits for it (better-sqlite3 is synchronous; on PostgreSQL the
 * summing of many rows is CPU work too). One request at a time on SQLite, several at once on
 * PostgreSQL.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CallMessage, ReplyMessage } from './analytics-calls.js';
import { summarize } from './summary-engine.js';
import { accountTotals, exportPage, listPage, requestDetail } from './usage-list.js';
import { openReader, type ReaderConfig } from './usage-reader.js';

const port = parentPort;
if (port === null) throw new Error('analytics-worker runs as a worker thread');
const reader = await openReader(workerData as ReaderConfig);

async function answer(message: CallMessage): Promise<unknown> {
  switch (message.op) {
    case 'summary': {
      const args = message.args as CallMessage<'summary'>['args'];
      return reader.snapshot((run) => summarize(reader, run, args));
    }
    case 'page':
      return listPage(reader, message.args as CallMessage<'page'>['args']);
    case 'exportPage':
      return exportPage(reader, message.args as CallMessage<'exportPage'>['args']);
    case 'detail':
      return requestDetail(reader, message.args as CallMessage<'detail'>['args']);
    case 'accountTotals':
      return accountTotals(reader);
  }
}

port.on('message', (message: CallMessage) => {
  answer(message).then(
    (result) => port.postMessage({ id: message.id, ok: true, result } satisfies ReplyMessage),
    (err: unknown) =>
      port.postMessage({
        id: message.id,
        ok: false,
        message: err instanceof Error ? err.message : String(err),
        code: typeof (err as { code?: unknown } | null)?.code === 'string' ? (err as { code: string }).code : undefined,
      } satisfies ReplyMessage),
  );
});
