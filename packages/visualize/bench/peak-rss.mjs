// Preloaded into a benchmarked CLI (node --import): on exit, write the process's peak resident set size (all its
// threads; KiB, from getrusage), its CPU times (all threads) and the main thread's own CPU time (Linux
// /proc/self/task/PID/stat, in clock ticks of 10 ms; null elsewhere) to the file named by MLOPS_BENCH_STATS. The
// main thread's CPU time bounds the wall time from below however many cores the other threads get.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.MLOPS_BENCH_STATS;

function mainThreadCpuMs() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // the fields after the command name (which may hold spaces) in parentheses; utime and stime are the 14th, 15th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        maxRssKiB: u.maxRSS,
        userMs: u.userCPUTime / 1000,
        systemMs: u.systemCPUTime / 1000,
        mainThreadMs: mainThreadCpuMs(),
      }),
    );
  });
}
