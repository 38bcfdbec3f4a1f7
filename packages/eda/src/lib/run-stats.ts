/**
 * Timing and memory of one eda run, for the benchmark (`--stats-json FILE`, read by bench/bench.mjs): phases are
 * marked as the run goes; nothing is measured unless asked (heap statistics and RSS cost a little at each mark).
 */
import { writeFileAtomic } from '@mlops/core';

/** Milliseconds since the process started (process.uptime: the global `performance` would load perf_hooks). */
export const msSinceStart = (): number => process.uptime() * 1000;

export class RunStats {
  private readonly startedMs = msSinceStart();
  private readonly marks: Record<string, number> = {};
  private readonly memory: Record<string, Record<string, number>> = {};

  /** Whether memory is measured at each mark (only for --stats-json). */
  enabled = false;

  /** Record the time (and, when enabled, the memory) at the end of a phase. */
  mark(phase: string): void {
    this.marks[phase] = msSinceStart();
    if (!this.enabled) return;
    const m = process.memoryUsage();
    this.memory[phase] = {
      rss_mb: m.rss / 2 ** 20,
      heap_total_mb: m.heapTotal / 2 ** 20,
      heap_used_mb: m.heapUsed / 2 ** 20,
      array_buffers_mb: m.arrayBuffers / 2 ** 20,
      max_rss_mb: process.resourceUsage().maxRSS / 1024,
    };
  }

  /** The JSON the benchmark reads: startup, read, clean, write and total times, CPU, peak RSS, memory by phase. */
  async write(file: string, rows: number): Promise<void> {
    const usage = process.resourceUsage();
    const at = (phase: string) => this.marks[phase] ?? this.startedMs;
    await writeFileAtomic(
      file,
      JSON.stringify(
        {
          rows,
          startup_ms: this.startedMs,
          read_ms: at('after_read') - this.startedMs,
          clean_ms: at('after_clean') - at('after_read'),
          write_ms: at('after_write') - at('after_clean'),
          total_ms: msSinceStart() - this.startedMs,
          cpu_ms: (usage.userCPUTime + usage.systemCPUTime) / 1000,
          max_rss_mb: usage.maxRSS / 1024,
          memory: this.memory,
        },
        null,
        2,
      ) + '\n',
    );
  }
}
