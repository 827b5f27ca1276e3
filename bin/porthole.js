#!/usr/bin/env node
// Entry point for `npx porthole`: runs the compiled CLI (built by `npm install` via the prepare script).
import('../dist/cli/main.js')
  .then((m) => m.main(process.argv.slice(2)))
  .catch((err) => {
    process.stderr.write(`porthole: ${err?.message ? err.message : String(err)}\n`);
    process.exit(70);
  });
