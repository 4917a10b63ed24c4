/**
 * The one format for recorded provider answers (`*.http`), and its one loader.
 *
 * One file per answer, written as the HTTP response it was, after a few `#` lines naming its source:
 *
 *     # Source: <where the answer comes from: an API reference page, an SDK's recorded fixture, …>
 *     # <more notes, optional>
 *     HTTP/1.1 200 OK
 *     content-type: text/event-stream
 *
 *     event: message_start
 *     data: {…}
 *
 * Everything after the first blank line is the body, byte for byte as sent (SSE framing, line
 * endings and all; JSON as the provider formatted it). Fake upstreams serve it as is, and unit tests
 * read its events through the gateway's own SSE parser.
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import type { SseEvent } from '../../src/providers/provider.js';
import { SseParser } from '../../src/providers/sse-parser.js';
import { writeFrames } from './fake-upstream.js';

export interface Recording {
  /** The file it was read from. */
  file: string;
  /** The `#` lines, without their `# `, joined with newlines; the first names the source. */
  source: string;
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body exactly as sent. */
  body: string;
}

const STATUS_LINE = /^HTTP\/1\.1 (\d{3})(?: .*)?$/;

/** Reads a recording; throws when the file does not follow the format (a source line is required). */
export function loadRecording(file: string | URL): Recording {
  const path = typeof file === 'string' ? file : file.pathname;
  const text = readFileSync(file, 'utf8');
  const fail = (why: string): never => {
    throw new Error(`${path} is not a recording: ${why}`);
  };
  const notes: string[] = [];
  let at = 0;
  while (text.startsWith('#', at)) {
    const end = text.indexOf('\n', at);
    if (end < 0) fail('it ends in its notes');
    notes.push(text.slice(at, end).replace(/^# ?/, ''));
    at = end + 1;
  }
  if (notes.length === 0 || !/\S/.test(notes[0] ?? '')) fail('no "# Source: …" line names where the answer comes from');
  const headEnd = text.indexOf('\n\n', at);
  if (headEnd < 0) fail('no blank line after the headers');
  const [statusLine = '', ...headerLines] = text.slice(at, headEnd).split('\n');
  const status = STATUS_LINE.exec(statusLine);
  if (status === null) fail(`"${statusLine}" is not an HTTP/1.1 status line`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) fail(`"${line}" is not a header`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { file: path, source: notes.join('\n'), status: Number(status?.[1]), headers, body: text.slice(headEnd + 2) };
}

/** A loader for the recordings of one folder: `const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url))`. */
export function recordingsIn(folder: URL): (name: string) => Recording {
  return (name) => loadRecording(new URL(name, folder));
}

/**
 * A JSON file parsed, typed by the caller. For request-mapping cases (what a client sends and what
 * the provider must receive), which are test data, not recorded answers.
 */
export function loadJson<T = unknown>(file: URL): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The body's events as the gateway's SSE parser hands them to a stream transform. */
export function eventsOf(recording: Recording): SseEvent[] {
  const parser = new SseParser();
  return [...parser.push(Buffer.from(recording.body, 'utf8')), ...parser.end()];
}

/** The body parsed as JSON. */
export function jsonOf(recording: Recording): unknown {
  return JSON.parse(recording.body) as unknown;
}

/**
 * Answers a fake-upstream request with the recording: its status, headers and body. An event
 * stream goes out event by event, each in two writes with pauses (as a real server's would arrive).
 */
export async function serveRecording(res: http.ServerResponse, recording: Recording): Promise<void> {
  if (recording.headers['content-type']?.startsWith('text/event-stream') === true && recording.status === 200) {
    await writeFrames(res, sseFrames(recording.body), { pauseMs: 1, headers: recording.headers });
    return;
  }
  res.writeHead(recording.status, recording.headers).end(recording.body);
}

/** An SSE body cut after each blank line (LF or CRLF), so each piece is one whole event. */
function sseFrames(body: string): string[] {
  const frames: string[] = [];
  const separator = /\r?\n\r?\n/g;
  let start = 0;
  for (let match = separator.exec(body); match !== null; match = separator.exec(body)) {
    frames.push(body.slice(start, match.index + match[0].length));
    start = match.index + match[0].length;
  }
  if (start < body.length) frames.push(body.slice(start));
  return frames;
}
