// Preloaded into a CLI run by bench.mjs (node -r): at exit, writes the process's peak RSS (MB) to $DRIFT_BENCH_RSS.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.DRIFT_BENCH_RSS;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS / 1024));
});
