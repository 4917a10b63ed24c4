/** The messages between the gateway's thread and the analytics worker. */
import type { SummaryRequest, UsageSummary } from './summary-engine.js';
import type { Cursor, ExportPage, RowsRequest, UsagePage, UsageRecordDetail } from './usage-list.js';

export interface Calls {
  summary: { args: SummaryRequest; result: UsageSummary };
  page: { args: RowsRequest & { limit: number; cursor: Cursor | undefined }; result: UsagePage };
  exportPage: { args: RowsRequest & { after: Cursor | undefined; limit: number }; result: ExportPage };
  detail: { args: { userId: string; id: string }; result: UsageRecordDetail | undefined };
  accountTotals: { args: Record<string, never>; result: Array<{ user_id: string; requests: number; cost_nano_usd: number }> };
}

export type Op = keyof Calls;

export interface CallMessage<K extends Op = Op> {
  id: number;
  op: K;
  args: Calls[K]['args'];
}

export type ReplyMessage =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string; code: string | undefined };
