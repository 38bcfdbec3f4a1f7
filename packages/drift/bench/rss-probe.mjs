// Preloaded into a CLI run by bench.mjs (node --import): at exit, writes the process's peak RSS (MB) and CPU time
// (ms, user + system: steadier than wall time on a loaded machine) to $DRIFT_BENCH_RSS as JSON.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.DRIFT_BENCH_RSS;
  if (!file) return;
  const u = process.resourceUsage();
  writeFileSync(
    file,
    JSON.stringify({ rssMb: u.maxRSS / 1024, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }),
  );
});
