/**
 * One check every stage makes before its work: no output may be one of its inputs, and no two outputs may be the
 * same file. Paths are compared by what they resolve to, not by how they are spelled: the real path (symbolic links
 * followed, also in the folders of a file that does not exist yet) and, for existing files, the device and inode
 * (a second name of the same file, a hard link or a bind mount). Every output must also be writable (see
 * checkWritableFile). Any failure is exit 2 naming both paths, with nothing written.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, isErrnoException } from './errors.js';
import { checkWritableFile } from './fs.js';

/** A path a stage reads or writes, with the option it came from (`--input`, `data.raw_path`…), for messages. */
export interface PathArg {
  /** How the user gave it: a flag (`--output`) or a params key. */
  flag: string;
  path: string;
  /**
   * For an output folder: the file names the stage writes inside it (`['eda_profile.json', 'eda_profile.md']`);
   * each is checked as an output file. Without it, `path` is an output file.
   */
  files?: readonly string[];
}

export interface OutputPathsSpec {
  inputs: readonly PathArg[];
  outputs: readonly PathArg[];
}

interface Resolved {
  label: string;
  path: string;
  real: string;
  id: string | undefined;
}

/** The real path of `path`; when it does not exist, the real path of its nearest existing folder + the rest. */
function realPathOf(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  for (let at = abs; ; at = dirname(at)) {
    try {
      return join(realpathSync(at), ...rest.reverse());
    } catch (error) {
      if (dirname(at) === at || !isErrnoException(error)) return abs;
      rest.push(basename(at));
    }
  }
}

/** `dev:ino` of an existing file (symbolic links followed), else undefined. */
function fileIdOf(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

function resolveOne(label: string, path: string): Resolved {
  return { label, path, real: realPathOf(path), id: fileIdOf(path) };
}

function same(a: Resolved, b: Resolved): boolean {
  return a.real === b.real || (a.id !== undefined && a.id === b.id);
}

function describe(r: Resolved): string {
  return r.label;
}

/**
 * Refuse (InputError, exit 2) an output that resolves to an input or to another output, and an output that cannot
 * be written; call it once, after resolving paths and before any work:
 *
 *   checkOutputPaths({
 *     inputs: [{ flag: '--input', path: input }],
 *     outputs: [{ flag: '--output', path: output }, { flag: '--profile', path: dir, files: [PROFILE_JSON, PROFILE_MD] }],
 *   });
 */
export function checkOutputPaths(spec: OutputPathsSpec): void {
  const inputs = spec.inputs.map((a) => resolveOne(`${a.flag} ${a.path}`, a.path));
  const outputs: Resolved[] = [];
  const folders: Resolved[] = [];
  for (const o of spec.outputs) {
    if (o.files === undefined) {
      outputs.push(resolveOne(`${o.flag} ${o.path}`, o.path));
      continue;
    }
    folders.push(resolveOne(`${o.flag} ${o.path}`, o.path));
    for (const f of o.files)
      outputs.push(resolveOne(`${o.flag} ${o.path} (${join(o.path, f)})`, join(o.path, f)));
  }
  // An output folder that is an input file (`--profile raw.csv`) is refused with both names as well.
  for (const out of [...outputs, ...folders]) {
    const input = inputs.find((i) => same(out, i));
    if (input)
      throw new InputError(
        `${describe(out)} is the same file as ${describe(input)}: writing it would destroy the input; choose another output path`,
      );
  }
  for (let i = 0; i < outputs.length; i++) {
    for (let j = i + 1; j < outputs.length; j++) {
      if (same(outputs[i]!, outputs[j]!))
        throw new InputError(
          `${describe(outputs[i]!)} and ${describe(outputs[j]!)} are the same file: one output would replace the other; choose different output paths`,
        );
    }
  }
  for (const out of outputs) checkWritableFile(out.path);
}
