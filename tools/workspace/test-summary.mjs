#!/usr/bin/env node
// Sums the vitest JSON reports every project's `test` target writes (.test-results/vitest.json) into one closing
// line, "N passed, N failed, N skipped", so a CI log says plainly how many tests ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const projects = [];
for (const group of ['packages', 'apps', 'tools']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, '.test-results', 'vitest.json');
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    projects.push(`${name} ${report.numPassedTests}/${report.numTotalTests}`);
  }
}
console.log(`\ntests by project: ${projects.join(', ') || 'none'}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
