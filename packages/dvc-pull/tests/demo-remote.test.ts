import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDvcFile } from '../src/index.js';
import { WORKSPACE_ROOT, runCli, tempDir } from './helpers.js';

// The in-repo demo remote (.dvc/config → ../data/demo-remote) and its pointers, as git tracks them.
function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', 'data/', '.dvc'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    return [];
  }
}
const tracked = trackedFiles();
const pointers = tracked.filter((f) => /^data\/raw\/[^/]+\.dvc$/.test(f));
const ready = tracked.includes('.dvc/config') && pointers.length > 0;
if (!ready) console.warn('SKIPPED demo remote test: .dvc/config or data/raw/*.dvc is not tracked yet');

describe.skipIf(!ready)('the in-repo demo remote', () => {
  it('a clone of the tracked files pulls every data/raw pointer, verified', async () => {
    const clone = await tempDir('dvc-demo-');
    for (const f of tracked.filter(
      (t) => t === '.dvc/config' || t.startsWith('data/raw/') || t.startsWith('data/demo-remote/'),
    )) {
      await mkdir(dirname(join(clone, f)), { recursive: true });
      await cp(join(WORKSPACE_ROOT, f), join(clone, f));
    }
    const res = await runCli(['pull'], { cwd: clone });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    for (const p of pointers) {
      const out = parseDvcFile(await readFile(join(clone, p), 'utf8'), p).outs[0]!;
      const data = await readFile(join(clone, dirname(p), out.path));
      expect(createHash('md5').update(data).digest('hex')).toBe(out.md5);
      expect(data.length).toBe(out.size);
    }
    expect((await runCli(['status', '-c'], { cwd: clone })).stdout.trim()).toBe(
      "Cache and remote 'demo' are in sync.",
    );
    expect(existsSync(join(clone, '.dvc/cache/files/md5'))).toBe(true);
  });
});
