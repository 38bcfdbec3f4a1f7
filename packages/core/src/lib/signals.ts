/**
 * Temp files in flight are removed when the process is interrupted. The atomic writers register each temp file
 * while it exists; runCli installs one SIGINT/SIGTERM handler that removes them and exits 130/143 (128 + the
 * signal's number, as a shell reports it). Without the handler, Node would die at once and leave the temp files.
 */
import { rmSync } from 'node:fs';

const inFlight = new Set<string>();
let installed = false;

const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/** Register a temp file being written; call the returned function once it is renamed or removed. */
export function trackTempFile(path: string): () => void {
  inFlight.add(path);
  return () => {
    inFlight.delete(path);
  };
}

/** The temp files written right now (for tests). */
export function tempFilesInFlight(): string[] {
  return [...inFlight];
}

/** Remove every registered temp file (errors ignored: a file already renamed or removed is fine). */
export function removeTempFilesInFlight(): void {
  for (const path of inFlight) {
    try {
      rmSync(path, { force: true });
    } catch {
      // nothing to remove
    }
  }
  inFlight.clear();
}

/**
 * Install the handler (once per process): on SIGINT or SIGTERM, remove the temp files in flight, say so on stderr
 * and exit 130 or 143.
 */
export function installSignalCleanup(name: string): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      const count = inFlight.size;
      removeTempFilesInFlight();
      try {
        process.stderr.write(
          `${name}: interrupted by ${signal}${count ? `; removed ${count} unfinished output file${count > 1 ? 's' : ''}` : ''}\n`,
        );
      } catch {
        // stderr gone: exit anyway
      }
      process.exit(SIGNAL_EXIT[signal]);
    });
  }
}
