/**
 * Preloaded into Z-AI (`BENCH_ZAI_NODE_ARGS="--import ./bench/alloc-probe.mjs"`): V8's sampling
 * heap profiler, keeping the samples of objects already collected, so the profile shows what a
 * request allocates (garbage included), not what survives. Every ALLOC_PROBE_MS (default 4000) it
 * writes `alloc-<pid>-<n>.json` to ALLOC_PROBE_DIR (default the OS temp dir) with the window's
 * profile and the HTTP requests that started in it; bench/alloc-summary.ts reads them.
 */
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';

const dir = process.env.ALLOC_PROBE_DIR ?? os.tmpdir();
const period = Number(process.env.ALLOC_PROBE_MS ?? 4000);
let requests = 0;
diagnostics.subscribe('http.server.request.start', () => {
  requests += 1;
});

const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.enable');
const start = () =>
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 2048,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
start();
let n = 0;
setInterval(() => {
  session.post('HeapProfiler.stopSampling', (err, reply) => {
    if (!err) {
      const file = path.join(dir, `alloc-${process.pid}-${n++}.json`);
      fs.writeFileSync(file, JSON.stringify({ requests, ms: period, profile: reply.profile }));
    }
    requests = 0;
    start();
  });
}, period).unref();
