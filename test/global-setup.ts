/**
 * Runs once around the whole suite. Every server a test starts appends its log output to
 * test-artifacts/logs/; after the last test, that output is searched for the canary provider keys
 * the tests paste (all of the form `sk-canary-…` / `canary…`) and for Z-AI keys. A hit fails the run.
 */
import fs from 'node:fs';
import path from 'node:path';

export const LOG_DIR = path.resolve('test-artifacts/logs');

export function setup(): void {
  // Not emptied here: each vitest project runs this, and they share the folder. `npm test`
  // empties it before the run (pretest).
  fs.mkdirSync(LOG_DIR, { recursive: true });
}

export function teardown(): void {
  const files = fs.existsSync(LOG_DIR) ? fs.readdirSync(LOG_DIR) : [];
  const hits: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const text = fs.readFileSync(path.join(LOG_DIR, file), 'utf8');
    bytes += text.length;
    for (const match of text.matchAll(/sk-canary-[A-Za-z0-9-]+|canary[A-Z]{4,}[A-Za-z0-9]*|zai-[0-9A-Za-z]{43}/g))
      hits.push(`${file}: ${match[0].slice(0, 16)}…`);
  }
  // A run of unit tests alone starts no server: nothing to search.
  if (bytes === 0) return;
  if (hits.length > 0) throw new Error(`canary search: secrets found in server logs:\n${hits.slice(0, 20).join('\n')}`);
}
