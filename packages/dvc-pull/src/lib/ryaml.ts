/**
 * YAML as DVC reads and writes its lock file: read like ruamel's safe loader (YAML 1.2 core schema; integers kept
 * exact as bigint, so `3.0` stays a float and `3` an int), written like ruamel 0.17's round-trip dumper with DVC's
 * settings (`default_flow_style=False`: block style, mappings indented by 2, sequences not indented, width 80 with
 * plain and single-quoted scalars folded at a space once past column 80, None as an empty value, floats as
 * Python's `repr`). Byte-identical output is what lets real DVC see our dvc.lock as its own.
 */
import { InputError } from '@mlops/core';
import type { Node } from 'yaml';
import { yamlLib } from './yamllib.js';

export type YValue = string | number | bigint | boolean | null | YValue[] | YMap;
export type YMap = Map<string, YValue>;

const INT_RE = /^[-+]?(?:0b[0-1_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)$/;

/** Parse YAML into Maps/arrays (file order kept); integers as bigint, floats as numbers. */
export function parseYamlValue(text: string, file: string): YValue {
  const { parseDocument, visit } = yamlLib();
  const doc = parseDocument(text, {
    schema: 'core',
    intAsBigInt: true,
    uniqueKeys: true,
    keepSourceTokens: true,
  });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new InputError(`${file}: invalid YAML: ${e.message.split('\n')[0]!.replace(/:$/, '')}`);
  }
  // `yaml` reads `1e3` as a float like ruamel, and `0x1F`/`0o17` as ints; ruamel also reads `1_000` as an int.
  visit(doc, {
    Scalar(_k, node) {
      const src = (node.srcToken as { source?: string } | undefined)?.source;
      if (typeof node.value === 'string' && src !== undefined && node.type === 'PLAIN' && /_/.test(src))
        if (INT_RE.test(src) && /^[-+]?[0-9_]+$/.test(src)) node.value = BigInt(src.replace(/_/g, ''));
    },
  });
  return toValue(doc.contents as Node | null, file);
}

function toValue(node: Node | null, file: string): YValue {
  const { isMap, isScalar, isSeq } = yamlLib();
  if (node === null || node === undefined) return null;
  if (isMap(node)) {
    const m: YMap = new Map();
    for (const pair of node.items) {
      const k = toValue(pair.key as Node, file);
      m.set(
        k === null ? 'null' : typeof k === 'object' ? JSON.stringify(k) : String(k),
        toValue(pair.value as Node, file),
      );
    }
    return m;
  }
  if (isSeq(node)) return node.items.map((n) => toValue(n as Node, file));
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return null;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')
      return v;
    return String(v);
  }
  throw new InputError(`${file}: unsupported YAML node (aliases and tags are not supported here)`);
}

/** Python's `repr(float)` (shortest round-trip digits; exponent below 1e-4 and from 1e16), as ruamel writes it. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Infinity) return '.inf';
  if (x === -Infinity) return '-.inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const exp = Number(x.toExponential().split('e')[1]);
  if (exp >= -5 + 1 && exp < 16) {
    const s = String(x);
    if (!s.includes('e')) return s.includes('.') ? s : `${s}.0`;
    // String() switches to exponents below 1e-6; write the fixed form from the digits.
    const [mant, e] = x.toExponential().split('e');
    const digits = mant!.replace('-', '').replace('.', '');
    const n = Number(e);
    const sign = x < 0 ? '-' : '';
    return `${sign}0.${'0'.repeat(-n - 1)}${digits}`;
  }
  const [mant, e] = x.toExponential().split('e');
  const n = Number(e);
  return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

const RESOLVES_TO_OTHER = [
  /^(?:true|True|TRUE|false|False|FALSE)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  INT_RE,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
  /^(?:!|&|\*)$/,
];

const BREAKS = '\n\x85\u2028\u2029';
const isPrintable = (ch: string) => {
  const c = ch.codePointAt(0)!;
  return (
    ch === '\n' ||
    (c >= 0x20 && c <= 0x7e) ||
    c === 0x85 ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) ||
    (c >= 0x10000 && c < 0x110000)
  );
};

/** ruamel's `analyze_scalar` → the style it picks in block context: '' plain, "'" single, '"' double. */
function scalarStyle(text: string): '' | "'" | '"' {
  const implicitStr = !RESOLVES_TO_OTHER.some((re) => re.test(text));
  if (text === '') return "'";
  const chars = [...text];
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (text.startsWith('---') || text.startsWith('...')) blockIndicators = true;
  let precededByWs = true;
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const next = chars[i + 1];
    const followedByWs = next === undefined || '\0 \t\r\n\x85\u2028\u2029'.includes(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ('?:'.includes(ch) && followedByWs) blockIndicators = true;
      if (ch === '-' && followedByWs) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWs) blockIndicators = true;
      if (ch === '#' && precededByWs) blockIndicators = true;
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    if (!isPrintable(ch)) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWs = '\0 \t\r\n\x85\u2028\u2029'.includes(ch);
  }
  let blockPlain = true;
  let singleOk = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (breakSpace) blockPlain = singleOk = false;
  if (spaceBreak || special) blockPlain = singleOk = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  if (implicitStr && blockPlain) return '';
  if (singleOk && !lineBreaks) return "'";
  return '"';
}

const cpLen = (s: string) => [...s].length;

class Emitter {
  out = '';
  column = 0;
  whitespace = true;

  write(s: string): void {
    this.out += s;
    this.column += cpLen(s);
  }

  indent(n: number): void {
    this.out += `\n${' '.repeat(n)}`;
    this.column = n;
    this.whitespace = true;
  }

  plain(text: string, cont: number, split: boolean): void {
    if (!this.whitespace) this.write(' ');
    this.whitespace = false;
    const t = [...text];
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= t.length; end++) {
      const ch = end < t.length ? t[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > 80 && split) {
            this.indent(cont);
            this.whitespace = false;
          } else this.write(t.slice(start, end).join(''));
          start = end;
        }
      } else if (ch === undefined || ch === ' ') {
        this.write(t.slice(start, end).join(''));
        start = end;
      }
      if (ch !== undefined) spaces = ch === ' ';
    }
  }

  singleQuoted(text: string, cont: number, split: boolean): void {
    this.write(this.whitespace ? "'" : " '");
    this.whitespace = false;
    const t = [...text];
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= t.length; end++) {
      const ch = end < t.length ? t[end] : undefined;
      if (spaces) {
        if (ch === undefined || ch !== ' ') {
          if (start + 1 === end && this.column > 80 && split && start !== 0 && end !== t.length) {
            this.indent(cont);
            this.whitespace = false;
          } else this.write(t.slice(start, end).join(''));
          start = end;
        }
      } else if (ch === undefined || ch === ' ' || ch === "'") {
        if (start < end) {
          this.write(t.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) spaces = ch === ' ';
    }
    this.write("'");
  }

  doubleQuoted(text: string): void {
    let body = '';
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      const esc: Record<string, string> = {
        '\0': '0',
        '\x07': 'a',
        '\b': 'b',
        '\t': 't',
        '\n': 'n',
        '\v': 'v',
        '\f': 'f',
        '\r': 'r',
        '\x1b': 'e',
        '"': '"',
        '\\': '\\',
        '\x85': 'N',
        '\xa0': '_',
        '\u2028': 'L',
        '\u2029': 'P',
      };
      if (esc[ch] !== undefined) body += `\\${esc[ch]}`;
      else if (isPrintable(ch)) body += ch;
      else if (c <= 0xff) body += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
      else if (c <= 0xffff) body += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
      else body += `\\U${c.toString(16).toUpperCase().padStart(8, '0')}`;
    }
    this.write(`${this.whitespace ? '' : ' '}"${body}"`);
    this.whitespace = false;
  }

  scalar(v: string | number | bigint | boolean, cont: number, split: boolean): void {
    if (typeof v === 'boolean') return this.plain(v ? 'true' : 'false', cont, false);
    if (typeof v === 'bigint') return this.plain(v.toString(), cont, false);
    if (typeof v === 'number') return this.plain(pyFloatRepr(v), cont, false);
    const style = scalarStyle(v);
    if (style === '') this.plain(v, cont, split);
    else if (style === "'") this.singleQuoted(v, cont, split);
    else this.doubleQuoted(v);
  }

  /** A block mapping whose keys sit at column `ind`; `inline`: the cursor is already there (after '- '). */
  map(m: YMap, ind: number, inline: boolean): void {
    let first = true;
    for (const [k, v] of m) {
      if (!(first && inline)) {
        if (this.out !== '') this.indent(ind);
      }
      first = false;
      this.whitespace = true;
      this.scalar(k, ind + 2, false);
      this.write(':');
      this.whitespace = false;
      this.value(v, ind);
    }
  }

  value(v: YValue, ind: number): void {
    if (v instanceof Map) {
      if (v.size === 0) this.write(' {}');
      else this.map(v, ind + 2, false);
    } else if (Array.isArray(v)) {
      if (v.length === 0) this.write(' []');
      else this.seq(v, ind, false);
    } else if (v !== null) this.scalar(v, ind + 2, true);
  }

  seq(items: YValue[], ind: number, inline: boolean): void {
    let first = true;
    for (const item of items) {
      if (!(first && inline)) this.indent(ind);
      first = false;
      this.write('-');
      if (item === null) continue;
      this.write(' ');
      this.whitespace = true;
      if (item instanceof Map && item.size > 0) this.map(item, ind + 2, true);
      else if (Array.isArray(item) && item.length > 0) this.seq(item, ind + 2, true);
      else if (item instanceof Map) this.write('{}');
      else if (Array.isArray(item)) this.write('[]');
      else this.scalar(item, ind + 2, true);
    }
  }
}

/** Dump a mapping as DVC's ruamel dumper does (block style, width 80). */
export function dumpYaml(doc: YMap): string {
  const e = new Emitter();
  e.map(doc, 0, false);
  return `${e.out}\n`;
}

/** A plain object (insertion order) as a YMap; nested objects and arrays converted too. */
export function ymap(obj: Record<string, YValue | Record<string, unknown> | undefined>): YMap {
  const m: YMap = new Map();
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) m.set(k, v as YValue);
  return m;
}
