/**
 * Reads one window written by bench/alloc-probe.mjs: `node --import tsx bench/alloc-summary.ts
 * <alloc-…json> [top=30]`. Prints the bytes allocated per request, the functions that allocate
 * most themselves, and Z-AI's functions by what they and their callees allocate.
 */
import fs from 'node:fs';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: ProfileNode[];
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: alloc-summary.ts <alloc-…json> [top=30]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const window = JSON.parse(fs.readFileSync(file, 'utf8')) as { requests: number; ms: number; profile: { head: ProfileNode } };

const name = (frame: ProfileNode['callFrame']): string => {
  const where = frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/');
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
// Iterative walk: the tree can be deeper than the call stack allows.
const stack: Array<{ node: ProfileNode; path: string[] }> = [{ node: window.profile.head, path: [] }];
while (stack.length > 0) {
  const { node, path } = stack.pop()!;
  const here = [...path, name(node.callFrame)];
  if (node.selfSize > 0) {
    total += node.selfSize;
    self.set(here.at(-1)!, (self.get(here.at(-1)!) ?? 0) + node.selfSize);
    for (const frame of new Set(here)) inclusive.set(frame, (inclusive.get(frame) ?? 0) + node.selfSize);
  }
  for (const child of node.children ?? []) stack.push({ node: child, path: here });
}

const perRequest = window.requests > 0 ? total / window.requests : NaN;
console.log(
  `${(total / 1e6).toFixed(1)} MB sampled in ${window.ms} ms, ${window.requests} requests: ${(perRequest / 1024).toFixed(1)} KB per request`,
);
const rows = (map: Map<string, number>, keep: (name: string) => boolean): void => {
  for (const [fn, bytes] of [...map]
    .filter(([fn]) => keep(fn))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    const share = ((bytes / total) * 100).toFixed(1).padStart(5);
    console.log(`  ${share} %  ${(bytes / window.requests).toFixed(0).padStart(6)} B/req  ${fn}`);
  }
};
console.log('\nallocated by the function itself:');
rows(self, () => true);
console.log("\nZ-AI's functions, with what their callees allocate:");
rows(inclusive, (fn) => fn.includes(' dist/'));
