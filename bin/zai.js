#!/usr/bin/env node
// The `zai` executable: runs the compiled CLI (built by `npm install` / `npm run build`).
// `zai serve` is meant to be launched with the node flags of src/cli/serve-flags.ts (npm start does).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
