#!/usr/bin/env node
// Bundles a stage CLI that tsc has emitted (dist/main.js) into one ESM file in place: the workspace libraries and
// npm dependencies load as one module instead of hundreds, which cuts a short stage's wall time by ~1/3
// (zod and yaml alone are ~250 modules). Usage, from a project folder: node ../../tools/workspace/bundle-cli.mjs dist/main.js
import { build } from 'esbuild';

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: bundle-cli.mjs dist/main.js [more entries]');
  process.exit(2);
}
for (const entry of entries) {
  await build({
    entryPoints: [entry],
    outfile: entry,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}
