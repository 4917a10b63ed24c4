/**
 * Probes for the request-fuzzing suites: one request (method, path, body, content type, credentials)
 * sent to a FuzzServer, and everything wrong with its answer: a 5xx, an error body not in OpenAI's
 * shape `{"error":{"message","type","code","param"}}`, or a 200 stream that does not end with `[DONE]`.
 */
import fc from 'fast-check';
import { pathsOf, setAt } from './fuzz.js';
import type { FuzzServer } from './fuzz-server.js';
import { DEEP_TEXT, WRONG } from './request-bodies.js';

/** Requests in flight at once: enough to interleave, few enough for a loaded CI machine. */
const CONCURRENCY = 8;

export interface Probe {
  method: string;
  path: string;
  /** A JSON value (sent as its JSON text) or raw bytes. */
  body: { json: unknown } | { raw: Uint8Array };
  contentType: string | undefined;
  auth: 'plain' | 'capped' | 'session' | 'none';
}

export interface Answer {
  probe: Probe;
  status: number;
  contentType: string;
  text: string;
}

function describeProbe(p: Probe): string {
  const body =
    'json' in p.body ? (JSON.stringify(p.body.json) ?? 'undefined') : `bytes ${Buffer.from(p.body.raw).toString('base64')}`;
  return `${p.method} ${p.path} [${p.auth}, ${p.contentType ?? 'no content-type'}] ${body.slice(0, 300)}`;
}

export async function send(server: FuzzServer, p: Probe): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (p.contentType !== undefined) headers['content-type'] = p.contentType;
  if (p.auth === 'plain') headers.authorization = `Bearer ${server.plainKey}`;
  if (p.auth === 'capped') headers.authorization = `Bearer ${server.cappedKey}`;
  if (p.auth === 'session') headers.cookie = (server.admin as unknown as { cookie: string }).cookie;
  const body = 'json' in p.body ? (JSON.stringify(p.body.json) ?? '') : p.body.raw;
  const res = await fetch(`${server.zai.url}${p.path}`, { method: p.method, headers, body, signal: AbortSignal.timeout(15_000) });
  return { probe: p, status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Everything wrong with one answer (empty when it is fine). */
export function problems(a: Answer): string[] {
  const out: string[] = [];
  if (a.status >= 500) out.push(`status ${a.status}`);
  if (a.status >= 400) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(a.text);
    } catch {
      out.push('error body is not JSON');
    }
    const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
    const shaped =
      typeof error === 'object' &&
      error !== null &&
      Object.keys(parsed as object).length === 1 &&
      typeof error.message === 'string' &&
      typeof error.type === 'string' &&
      (typeof error.code === 'string' || error.code === null) &&
      (typeof error.param === 'string' || error.param === null);
    if (!shaped) out.push('error body is not {error:{message,type,code,param}}');
  } else if (a.contentType.startsWith('text/event-stream')) {
    if (!a.text.endsWith('data: [DONE]\n\n')) out.push(`stream did not end with [DONE]: …${a.text.slice(-200)}`);
    if (a.text.includes('"error"')) out.push('stream carried an error event although the upstream answered normally');
  }
  return out.map(
    (problem) => `${problem}\n    request: ${describeProbe(a.probe)}\n    answer: ${a.status} ${a.text.slice(0, 300)}`,
  );
}

/** Sends every probe, CONCURRENCY at a time; returns the answers in order. */
export async function sendAll(server: FuzzServer, probes: readonly Probe[]): Promise<Answer[]> {
  const answers: Answer[] = new Array<Answer>(probes.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < probes.length) {
      const i = next++;
      answers[i] = await send(server, probes[i] as Probe);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return answers;
}

// ---------------------------------------------------------------------------------------------
// Random probes

/** Replaces up to three values anywhere in `body` (nested too) with wrong ones, or a deeply nested one. */
function mutate(body: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Probe['body']> {
  const replacement = fc.oneof(
    { weight: 12, arbitrary: WRONG },
    { weight: 1, arbitrary: fc.constantFrom<unknown>('\u0000DEEP_ARRAY\u0000', '\u0000DEEP_OBJECT\u0000') },
  );
  return fc.tuple(body, fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 3 })).map(([original, edits]) => {
    const copy = structuredClone(original) as Record<string, unknown>;
    for (const [pick, value] of edits) {
      const paths = pathsOf(copy);
      const path = paths[pick % Math.max(1, paths.length)];
      if (path === undefined) continue;
      setAt(copy, path, value);
    }
    let text = JSON.stringify(copy);
    if (!text.includes('DEEP_')) return { json: copy };
    for (const [placeholder, deep] of Object.entries(DEEP_TEXT)) text = text.split(placeholder).join(deep);
    return { raw: new TextEncoder().encode(text) };
  });
}

/** Prototype-pollution keys in the JSON text (JSON.stringify would drop a real __proto__). */
function withProtoKeys(body: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      body,
      fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"__proto__":null}'),
    )
    .map(([value, pollution]) => {
      const text = JSON.stringify(value);
      return new TextEncoder().encode(
        `{"__proto__":${pollution},${text.slice(1)}`.replace('{"__proto__":{"__proto__"', '{"__proto__":{"x"'),
      );
    });
}

/** The body of one probe: valid, mutated, random JSON, random bytes, or prototype keys. */
function bodies(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Probe['body']> {
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((json) => ({ json })) },
    { weight: 6, arbitrary: mutate(valid) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), WRONG, { maxKeys: 6 }).map((json) => ({ json })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 60 }).map((s) => new TextEncoder().encode(s)),
          fc.constantFrom(new Uint8Array(0), new TextEncoder().encode('{"model":'), new Uint8Array([0xff, 0xfe, 0x7b, 0x00])),
        )
        .map((raw) => ({ raw })),
    },
    { weight: 1, arbitrary: withProtoKeys(valid).map((raw) => ({ raw })) },
  );
}

const CONTENT_TYPE = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

export function probes(
  method: string,
  paths: fc.Arbitrary<string>,
  valid: fc.Arbitrary<Record<string, unknown>>,
  auth: fc.Arbitrary<Probe['auth']>,
): fc.Arbitrary<Probe> {
  return fc.record({ method: fc.constant(method), path: paths, body: bodies(valid), contentType: CONTENT_TYPE, auth });
}
