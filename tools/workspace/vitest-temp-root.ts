/**
 * vitest global setup for every project: the tests' temporary files (mkdtemp in os.tmpdir(), in the test workers
 * and in the CLIs they spawn) go under one fresh folder, removed when the run ends, so a test that forgets to
 * clean up leaves nothing in /tmp. Set KEEP_TEST_TMP=1 to keep it for a post-mortem.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'mlops-test-'));
  const previous = process.env['TMPDIR'];
  process.env['TMPDIR'] = root;
  return () => {
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    if (process.env['KEEP_TEST_TMP']) console.warn(`test temp files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
