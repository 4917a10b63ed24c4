// Diagnosis only, never part of a measured run: preloaded into Z-AI with
// `SOAK_ZAI_NODE_ARGS="--import ./soak/mem-probe.mjs" SOAK_MEM_PROBE_FILE=./mem.jsonl npm run soak`,
// it appends a JSON line every 100 ms with where Z-AI's memory is (RSS, V8 heap spaces, external
// and array buffers), so a high RSS can be attributed. Z-AI's own code stays untouched.
import fs from 'node:fs';
import v8 from 'node:v8';

const file = process.env.SOAK_MEM_PROBE_FILE;
if (file) {
  const fd = fs.openSync(file, 'a');
  const start = Date.now();
  const mb = (n) => Math.round((n / 1048576) * 10) / 10;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const spaces = {};
    for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = mb(s.space_size);
    const line = {
      t: Date.now() - start,
      pid: process.pid,
      rss: mb(m.rss),
      heapTotal: mb(m.heapTotal),
      heapUsed: mb(m.heapUsed),
      external: mb(m.external),
      arrayBuffers: mb(m.arrayBuffers),
      spaces,
    };
    fs.writeSync(fd, `${JSON.stringify(line)}\n`);
  }, 100);
  timer.unref();
}
