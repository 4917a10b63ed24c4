/**
 * Summarises a V8 `.cpuprofile` (from `npm run bench -- --cpu-prof`): self time by package / area,
 * the top functions by self time, and inclusive time of the functions whose name or file matches
 * an optional filter, and every sample charged to one part of the request path (the first rule in
 * CATEGORIES that any frame of its stack matches), and the hottest source lines of Z-AI and its
 * packages with their text. Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [filter]
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
  positionTicks?: Array<{ line: number; ticks: number }>;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg, filter] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [top=40] [filter]');
  process.exit(2);
}
const top = Number(topArg ?? 40);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Time per sample: each sample's delta is the time since the previous one.
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i] as number;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

function shortUrl(url: string): string {
  if (url === '') return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: native / not JS)';
    return `(native) ${functionName}`;
  }
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+(?:\/[^/]+)?)/.exec(url);
    return `node:${m?.[1] ?? url}`;
  }
  const dist = url.indexOf('/dist/');
  if (dist !== -1)
    return `z-ai ${url
      .slice(dist + 1)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return url;
}

const pct = (us: number): string => `${((us / totalUs) * 100).toFixed(1).padStart(5)} %`;

// Self time by area.
const areas = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const key = area(node.callFrame);
  areas.set(key, (areas.get(key) ?? 0) + us);
}
const idleUs = areas.get('(idle)') ?? 0;
console.log(`profile: ${(totalUs / 1e6).toFixed(2)} s sampled, ${((idleUs / totalUs) * 100).toFixed(1)} % idle`);
console.log('\nself time by area:');
for (const [key, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${key}`);

// Self time by function.
const fns = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const f = node.callFrame;
  const key = `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}:${f.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
}
console.log(`\ntop ${top} functions by self time:`);
for (const [key, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${key}`);

// Inclusive time: each sample counts once for every distinct function on its stack.
const inclusive = new Map<string, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
  const seen = new Set<string>();
  let id: number | undefined = profile.samples[i];
  while (id !== undefined) {
    const node = byId.get(id);
    if (!node) break;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    if (!seen.has(key)) {
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
    id = parent.get(id);
  }
}
const filtered = [...inclusive].filter(([key]) => (filter ? key.includes(filter) : key.includes('dist/')));
console.log(`\ntop ${top} by inclusive time${filter ? ` matching "${filter}"` : ' (Z-AI code)'}:`);
for (const [key, us] of filtered.sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${key}`);

// Every sample charged to one part of the path: the first rule that any frame on its stack matches.
const CATEGORIES: Array<[string, (f: CallFrame) => boolean]> = [
  ['(idle)', (f) => f.functionName === '(idle)'],
  ['(gc)', (f) => f.functionName === '(garbage collector)'],
  [
    'module loading / startup',
    (f) => /modules\/(esm|cjs)|startServer|buildApp/.test(f.url + f.functionName) && !f.url.includes('undici'),
  ],
  ['usage recording (kysely + better-sqlite3)', (f) => f.url.includes('usage-recorder') || f.url.includes('better-sqlite3')],
  [
    'logging (pino)',
    (f) => /node_modules\/(pino|sonic-boom|@pinojs|pino-std-serializers)\//.test(f.url) || f.functionName === 'writeFixedLine',
  ],
  ['provider key decrypt (fernet)', (f) => f.url.includes('crypto/fernet') || f.url.includes('keys/vault')],
  ['request id (randomBase62)', (f) => f.functionName === 'genReqId' || f.functionName === 'randomBase62'],
  ['key auth (sha256 + cache)', (f) => f.url.includes('keys/api-keys') || f.url.includes('http/api-key-auth')],
  ['SSE parse (sse-parser)', (f) => f.url.includes('providers/sse-parser')],
  ['stream transform (JSON.parse per chunk)', (f) => f.url.includes('openai-compatible/stream')],
  ['SSE encode + client writes (relay-stream send)', (f) => f.url.includes('gateway/relay-stream') && f.functionName === 'send'],
  [
    'response JSON parse/stringify (non-stream)',
    (f) => f.functionName === 'parseUpstreamJson' || f.url.includes('openai-compatible/response'),
  ],
  [
    'request build (buildChatCall, quirks, stringify)',
    (f) => f.url.includes('openai-compatible/request') || f.url.includes('openai-compatible/quirks'),
  ],
  ['abort signal (AbortController / EventTarget)', (f) => /abort_controller|event_target/.test(f.url)],
  [
    'fast path (body read, JSON parse, answer write)',
    (f) =>
      f.url.includes('http/v1-fast-path') ||
      f.url.includes('http/gateway-context') ||
      f.url.includes('http/json-body') ||
      f.url.includes('node_modules/secure-json-parse/'),
  ],
  ['upstream call (undici)', (f) => f.url.includes('node_modules/undici/')],
  [
    'client socket writes (writev / write)',
    (f) => /^(writev|writeUtf8String|writeString|writeBuffer|writeLatin1String)$/.test(f.functionName) && f.url === '',
  ],
  ['fastify (routing, hooks, reply)', (f) => /node_modules\/(fastify|find-my-way|light-my-request|avvio|@fastify)\//.test(f.url)],
  ['other Z-AI code', (f) => f.url.includes('/dist/')],
  ['node http server / net', (f) => /node:(_http_|net|internal\/stream_base_commons|internal\/http)/.test(f.url)],
  [
    'node streams / events / timers / microtasks',
    (f) => /node:internal\/(streams|process|timers)|node:events/.test(f.url) || f.functionName === 'runMicrotasks',
  ],
];
const charged = new Map<string, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
  const frames: CallFrame[] = [];
  let id: number | undefined = profile.samples[i];
  while (id !== undefined) {
    const node = byId.get(id);
    if (!node) break;
    frames.push(node.callFrame);
    id = parent.get(id);
  }
  const hit = CATEGORIES.find(([, test]) => frames.some(test));
  const name = hit?.[0] ?? 'other (native, node internals)';
  charged.set(name, (charged.get(name) ?? 0) + us);
}
const busyUs = totalUs - (charged.get('(idle)') ?? 0);
console.log('\nwhere the busy time goes (each sample charged once; % of busy time):');
for (const [name, us] of [...charged].sort((a, b) => b[1] - a[1])) {
  if (name === '(idle)') continue;
  console.log(`  ${((us / busyUs) * 100).toFixed(1).padStart(5)} %  ${name}`);
}

// Hot lines. A line that costs far more than it seems to do is worth a look: that is how a V8 slow
// path was found (docs/performance.md, "No properties after a spread"). In optimised code the
// ticks of inlined functions are charged to the caller's node under the callee's own line numbers,
// so a line can be misattributed; profile with BENCH_ZAI_NODE_ARGS=--no-turbo-inlining to be sure.
const lineTicks = new Map<string, { url: string; line: number; fn: string; ticks: number }>();
let allTicks = 0;
for (const node of profile.nodes) {
  for (const { line, ticks } of node.positionTicks ?? []) {
    allTicks += ticks;
    const { url, functionName } = node.callFrame;
    if (!url.includes('/dist/') && !url.includes('node_modules/')) continue;
    const key = `${url}:${line}`;
    const entry = lineTicks.get(key) ?? { url, line, fn: functionName || '(anonymous)', ticks: 0 };
    entry.ticks += ticks;
    lineTicks.set(key, entry);
  }
}
const sources = new Map<string, string[]>();
function sourceLine(url: string, line: number): string {
  let lines = sources.get(url);
  if (lines === undefined) {
    try {
      lines = fs.readFileSync(url.replace(/^file:\/\//, ''), 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sources.set(url, lines);
  }
  return (lines[line - 1] ?? '').trim().slice(0, 100);
}
console.log(`\ntop ${top} source lines of Z-AI and its packages (% of ticks with a line):`);
for (const { url, line, fn, ticks } of [...lineTicks.values()].sort((a, b) => b.ticks - a.ticks).slice(0, top)) {
  console.log(
    `  ${((ticks / allTicks) * 100).toFixed(1).padStart(5)} %  ${shortUrl(url)}:${line} [${fn}]  ${sourceLine(url, line)}`,
  );
}
