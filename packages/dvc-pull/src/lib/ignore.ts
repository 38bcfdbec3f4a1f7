/**
 * `.dvcignore`: gitignore syntax (dvc/ignore.py uses pathspec's gitwildmatch), read from every folder walked.
 * Supported: comments, `!` negation, trailing `/` (folders only), anchoring by a leading or inner `/`, `*`, `?`,
 * `**`, `[…]` classes, `\` escapes. `.git`, `.hg` and `.dvc` folders are always ignored, as DVC does.
 */
export interface IgnoreRule {
  /** Folder (POSIX, relative to the walk root) the .dvcignore sits in; '' for the root. */
  base: string;
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

function globToRegex(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          if (i + 2 === glob.length) re += '.*';
          else {
            re += '(?:.*/)?';
            i++; // skip the following '/'
          }
          i++;
          continue;
        }
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      re += glob[i + 1]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return re;
}

export function parseIgnore(text: string, base: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (let line of text.split(/\r?\n/)) {
    if (!line.endsWith('\\ ')) line = line.replace(/\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
    let dirOnly = false;
    if (line.endsWith('/')) {
      dirOnly = true;
      line = line.replace(/\/+$/, '');
    }
    const anchored = line.includes('/');
    line = line.replace(/^\//, '');
    const body = globToRegex(line);
    const regex = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
    rules.push({ base, regex, negate, dirOnly });
  }
  return rules;
}

const ALWAYS = new Set(['.git', '.hg', '.dvc']);

/** Is `relpath` (POSIX, relative to the walk root) ignored? Later rules win, like git. */
export function isIgnored(rules: readonly IgnoreRule[], relpath: string, isDir: boolean): boolean {
  const name = relpath.slice(relpath.lastIndexOf('/') + 1);
  if (isDir && ALWAYS.has(name)) return true;
  let ignored = false;
  for (const r of rules) {
    if (r.dirOnly && !isDir) continue;
    let sub: string;
    if (r.base === '') sub = relpath;
    else if (relpath.startsWith(r.base + '/')) sub = relpath.slice(r.base.length + 1);
    else continue;
    if (r.regex.test(sub)) ignored = !r.negate;
  }
  return ignored;
}
