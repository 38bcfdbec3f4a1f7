/**
 * `.dvc/config` and `.dvc/config.local`: configobj INI as DVC writes it (dvc/config.py):
 *
 *   [core]
 *       remote = myremote
 *   ['remote "myremote"']
 *       url = s3://bucket/path
 *
 * Section names may be quoted ('…' or "…"); values may be quoted; `#` starts a comment (whole line, or after an
 * unquoted value). Edits keep every other line (comments, order, indentation) as it was.
 */
import { InputError } from '@mlops/core';

type Line =
  | { kind: 'other'; text: string }
  | { kind: 'section'; text: string; name: string }
  | { kind: 'key'; text: string; section: string; key: string; value: string };

export class IniDocument {
  private constructor(private lines: Line[]) {}

  static parse(text: string, file: string): IniDocument {
    const lines: Line[] = [];
    let section = '';
    const raw = text.split(/\r?\n/);
    if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
    raw.forEach((textLine, i) => {
      const t = textLine.trim();
      if (t === '' || t.startsWith('#') || t.startsWith(';')) {
        lines.push({ kind: 'other', text: textLine });
        return;
      }
      if (t.startsWith('[')) {
        const m = /^(\[+)\s*(.*?)\s*(\]+)\s*(#.*)?$/.exec(t);
        if (!m || m[1]!.length !== m[3]!.length)
          throw new InputError(`${file}:${i + 1}: malformed section header: ${t}`);
        if (m[1]!.length > 1)
          throw new InputError(`${file}:${i + 1}: nested sections are not used by DVC: ${t}`);
        section = unquote(m[2]!);
        lines.push({ kind: 'section', text: textLine, name: section });
        return;
      }
      const eq = t.indexOf('=');
      if (eq <= 0) throw new InputError(`${file}:${i + 1}: expected "key = value", got: ${t}`);
      const key = unquote(t.slice(0, eq).trim());
      const value = parseValue(t.slice(eq + 1).trim(), file, i + 1);
      lines.push({ kind: 'key', text: textLine, section, key, value });
    });
    return new IniDocument(lines);
  }

  static empty(): IniDocument {
    return new IniDocument([]);
  }

  sections(): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    for (const l of this.lines) {
      if (l.kind === 'section' && !out.has(l.name)) out.set(l.name, new Map());
      if (l.kind === 'key') {
        if (!out.has(l.section)) out.set(l.section, new Map());
        out.get(l.section)!.set(l.key, l.value);
      }
    }
    return out;
  }

  get(section: string, key: string): string | undefined {
    return this.sections().get(section)?.get(key);
  }

  hasSection(section: string): boolean {
    return this.lines.some((l) => l.kind === 'section' && l.name === section);
  }

  set(section: string, key: string, value: string): void {
    const text = `    ${key} = ${quoteValue(value)}`;
    const idx = this.lines.findIndex((l) => l.kind === 'key' && l.section === section && l.key === key);
    if (idx >= 0) {
      this.lines[idx] = { kind: 'key', text, section, key, value };
      return;
    }
    const headerIdx = this.lines.findIndex((l) => l.kind === 'section' && l.name === section);
    if (headerIdx < 0) {
      this.lines.push({ kind: 'section', text: `[${quoteSection(section)}]`, name: section });
      this.lines.push({ kind: 'key', text, section, key, value });
      return;
    }
    // After the last key of the section (comments after it stay where they are).
    let insertAt = headerIdx + 1;
    for (let i = headerIdx + 1; i < this.lines.length; i++) {
      const l = this.lines[i]!;
      if (l.kind === 'section') break;
      if (l.kind === 'key') insertAt = i + 1;
    }
    this.lines.splice(insertAt, 0, { kind: 'key', text, section, key, value });
  }

  unset(section: string, key: string): boolean {
    const before = this.lines.length;
    this.lines = this.lines.filter((l) => !(l.kind === 'key' && l.section === section && l.key === key));
    return this.lines.length !== before;
  }

  removeSection(section: string): void {
    const out: Line[] = [];
    let inside = false;
    for (const l of this.lines) {
      if (l.kind === 'section') inside = l.name === section;
      if (!inside) out.push(l);
    }
    this.lines = out;
  }

  toString(): string {
    return this.lines.map((l) => l.text + '\n').join('');
  }
}

function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1);
  return s;
}

function parseValue(v: string, file: string, line: number): string {
  if (v.startsWith('"') || v.startsWith("'")) {
    const q = v[0]!;
    const end = v.indexOf(q, 1);
    if (end < 0) throw new InputError(`${file}:${line}: unterminated quoted value`);
    const rest = v.slice(end + 1).trim();
    if (rest !== '' && !rest.startsWith('#'))
      throw new InputError(`${file}:${line}: text after a quoted value`);
    return v.slice(1, end);
  }
  const hash = v.search(/\s#/);
  return (hash >= 0 ? v.slice(0, hash) : v.startsWith('#') ? '' : v).trim();
}

/** configobj quotes a value that is empty, has surrounding spaces, or holds `#`, `,` or quotes. */
export function quoteValue(v: string): string {
  if (v !== '' && v.trim() === v && !/[#,"'\n]/.test(v)) return v;
  if (/\n/.test(v) || (v.includes('"') && v.includes("'")))
    throw new InputError(`value ${JSON.stringify(v)} cannot be written to an INI file`);
  return v.includes('"') ? `'${v}'` : `"${v}"`;
}

function quoteSection(name: string): string {
  if (!/["'#\s]/.test(name)) return name;
  return name.includes("'") ? `"${name}"` : `'${name}'`;
}

export const remoteSection = (name: string): string => `remote "${name}"`;

export function remoteNameOf(section: string): string | undefined {
  const m = /^remote\s+"(.+)"$/.exec(section);
  return m ? m[1] : undefined;
}
