/**
 * Whether Z-AI's cost per request drifts as it serves: `node --import tsx bench/drift-probe.ts
 * [--mode json] [--c 50] [--windows 12] [--seconds 8] [--idle 0]`. Placed like `npm run bench`
 * (Z-AI alone on core 1, wrk and the fake upstream on core 0); one Z-AI process serves back-to-back
 * wrk windows, after `--idle` seconds without load each (as when the bench measures another
 * target), and each window prints its throughput, CPU per request, RSS and the usage rows written
 * so far.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { MODES } from './modes.js';
import { cpuMs } from './measure.js';
import { ROOT, rssKb, startFakeUpstream } from './processes.js';
import { ensureWrk, runWrk } from './wrk.js';
import { makeDataDir, startZai } from './zai.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'json' },
    c: { type: 'string', default: '50' },
    windows: { type: 'string', default: '12' },
    seconds: { type: 'string', default: '8' },
    idle: { type: 'string', default: '0' },
  },
});
const mode = MODES.find((m) => m.name === values.mode);
if (mode === undefined) throw new Error(`--mode: one of ${MODES.map((m) => m.name).join(', ')}`);

const wrk = ensureWrk((m) => console.log(m));
const fake = await startFakeUpstream(0);
const dataDir = makeDataDir();
const zai = await startZai({
  name: 'z-ai',
  dir: ROOT,
  upstreamOrigin: fake.origin,
  core: 1,
  nodeArgs: [],
  dataDir,
});
try {
  console.log('window  req/s  CPU ms/req  RSS MB  usage rows');
  for (let w = 1; w <= Number(values.windows); w++) {
    if (w > 1) await new Promise((resolve) => setTimeout(resolve, Number(values.idle) * 1000));
    const start = await zai.child.sample();
    const result = await runWrk({
      wrk,
      core: 0,
      url: `${zai.origin}${mode.path}`,
      body: mode.body('openai/gpt-4o-mini'),
      authorization: `Bearer ${zai.key}`,
      connections: Number(values.c),
      seconds: Number(values.seconds),
      expectText: mode.expectText,
    });
    const used = cpuMs(start, await zai.child.sample()).precise;
    const rows = await zai.usageRows();
    console.log(
      `${String(w).padStart(6)}  ${String(Math.round(result.requests / Number(values.seconds))).padStart(5)}  ${(used / result.requests).toFixed(3).padStart(10)}  ${((rssKb(zai.child.pid) ?? 0) / 1024).toFixed(1).padStart(6)}  ${String(rows).padStart(10)}`,
    );
  }
} finally {
  await zai.child.stop();
  await fake.child.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
