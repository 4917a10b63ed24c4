/**
 * What the http layer hands the gateway for one `/v1` request.
 */
import type { KeyAuth } from '../keys/api-keys.js';
import type { AttemptLog } from './attempt-log.js';
import type { Cancellation } from './cancellation.js';

/** The client's response stream once an SSE answer is committed (a Node ServerResponse). */
export interface ClientStream {
  write(chunk: string): boolean;
  end(chunk?: string): void;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

export interface RequestContext {
  requestId: string;
  auth: KeyAuth;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Aborted when the client disconnects. */
  signal: Cancellation;
  /** The upstream tries made so far, for the usage row's details. */
  attempts: AttemptLog;
  /** The start of the key's budget period this request counts in, once taken (cap-subject.ts). */
  budgetPeriodStart?: number;
  /**
   * The request body's JSON text as the client sent it, when the http layer has it; let go once the
   * call is dispatched (sendPooled), so a long answer does not keep the client's context twice.
   */
  bodyText: string | undefined;
  /** Commits a 200 SSE answer with these headers and returns the stream to write to. */
  openStream(headers: Record<string, string>): ClientStream;
}

/** A complete (non-streaming) answer for the http layer to send; `body` is JSON text. */
export interface JsonAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A JSON answer too large to hold as one string (a big embeddings answer): the pieces, joined,
 * are its JSON text; the http layer writes them one by one as the client takes them.
 */
export interface PiecewiseAnswer {
  status: number;
  headers: Record<string, string>;
  pieces: Iterable<string>;
}
