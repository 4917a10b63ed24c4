/**
 * Ids in OpenAI's forms: `resp_…` for a response, `msg_…`, `fc_…` and `rs_…` for its output items
 * (each item its own), `call_…` when an upstream gave a tool call no id. Random, so an id never
 * repeats across responses; randomUUID draws from a cached entropy pool, which keeps ids cheap.
 */
import { randomUUID } from 'node:crypto';

export type IdPrefix = 'resp' | 'msg' | 'fc' | 'rs' | 'call';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
