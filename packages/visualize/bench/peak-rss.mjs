// Preloaded into a benchmarked CLI (node --import): on exit, write the process's peak resident set size (all its
// threads; KiB, from getrusage) and its CPU times to the file named by MLOPS_BENCH_STATS.
import { writeFileSync } from 'node:fs';

const file = process.env.MLOPS_BENCH_STATS;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ maxRssKiB: u.maxRSS, userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000 }),
    );
  });
}
