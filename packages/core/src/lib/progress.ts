import type { Logger } from './log.js';

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

export interface ProgressOptions {
  label: string;
  /** Total units of work, when known. */
  total?: number;
  logger: Logger;
  /** Unit name for messages, e.g. "rows" or "files". */
  unit?: string;
  /** Minimum milliseconds between two redraws or log lines. */
  intervalMs?: number;
  now?: () => number;
}

/**
 * Progress for long loops. On a TTY (and with human logs) it redraws one bar line on the logger's sink; otherwise
 * it logs an INFO line at most every `intervalMs` (default 2 s), so CI logs show progress without flooding.
 */
export function createProgress(options: ProgressOptions): Progress {
  const { label, total, logger } = options;
  const unit = options.unit ?? 'items';
  const now = options.now ?? (() => Date.now());
  const interactive = Boolean(logger.sink.isTTY) && !logger.json && logger.level !== 'silent';
  const interval = options.intervalMs ?? (interactive ? 100 : 2000);
  const start = now();
  let count = 0;
  let last = start;
  let finished = false;

  const describe = (): string => {
    const seconds = Math.max((now() - start) / 1000, 1e-9);
    const rate = count / seconds;
    const pct = total ? ` ${((100 * count) / total).toFixed(1)}%` : '';
    const of = total ? `/${total}` : '';
    // the time left at the rate so far, while work remains
    const eta = total && count > 0 && count < total ? `, ETA ${formatSeconds((total - count) / rate)}` : '';
    return `${label}: ${count}${of} ${unit}${pct} (${rate.toFixed(rate < 10 ? 1 : 0)} ${unit}/s${eta})`;
  };
  const bar = (): string => {
    if (!total) return describe();
    const width = 24;
    const filled = Math.min(width, Math.round((width * count) / total));
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${describe()}`;
  };
  const draw = (final: boolean) => {
    if (interactive) {
      logger.sink.write(`\r${bar()}${final ? '\n' : ''}`);
    } else if (logger.level !== 'silent') {
      logger.info(describe());
    }
  };

  return {
    tick(n = 1) {
      count += n;
      const t = now();
      if (t - last >= interval) {
        last = t;
        draw(false);
      }
    },
    done() {
      if (finished) return;
      finished = true;
      draw(true);
    },
  };
}

/** Seconds for people: "42s", "3m05s", "2h07m". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
