#!/usr/bin/env node
// The `zai` executable: runs the compiled CLI (built by `npm install` / `npm run build`).
// The heap settings for serving go first, before the server's modules are loaded (see heap-tuning).
import { tuneHeapForServing } from '../dist/cli/heap-tuning.js';

if (process.argv[2] === 'serve') tuneHeapForServing();
const { main } = await import('../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
