import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full collection of this thread's heap. Rendered images live in native memory that V8's collector does not
 * count, so left to its heuristics it keeps tens-of-MB images alive long after use. The collector is reached through
 * V8's own flag, without a command-line option (a no-op if that is refused).
 */
export const collectGarbage: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return () => undefined;
  }
})();
