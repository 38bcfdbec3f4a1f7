import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, CsvTokenizer } from '../src/lib/csv-tokenizer.js';
import { formatCsvRow, SeededRng } from '../src/index.js';

function tokenize(chunks: string[]): { fields: string[]; line: number }[] {
  const t = new CsvTokenizer();
  for (const c of chunks) t.feed(c);
  t.end();
  return t.records;
}

/** Every split of `text` into pieces of `size` characters. */
function chunked(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

describe('CsvTokenizer', () => {
  it('splits fields and records, with CRLF, LF and CR line ends', () => {
    const expected = [
      ['a', 'b'],
      ['1', '2'],
      ['3', ''],
    ];
    for (const eol of ['\n', '\r\n', '\r']) {
      expect(tokenize([`a,b${eol}1,2${eol}3,${eol}`]).map((r) => r.fields)).toEqual(expected);
      expect(tokenize([`a,b${eol}1,2${eol}3,`]).map((r) => r.fields)).toEqual(expected);
    }
  });

  it('gives the same records for any chunking, including splits inside "" and CRLF', () => {
    const text = '\uFEFFid,text\r\n1,"say ""hi"", ok"\r\n2,"two\r\nlines"\r\n\r\n3,plain\r\n';
    const whole = tokenize([text]);
    expect(whole.map((r) => r.fields)).toEqual([
      ['id', 'text'],
      ['1', 'say "hi", ok'],
      ['2', 'two\r\nlines'],
      ['3', 'plain'],
    ]);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 3, 6]);
    for (let size = 1; size <= text.length; size++)
      expect(tokenize(chunked(text, size)), `size ${size}`).toEqual(whole);
  });

  it('keeps a quote inside an unquoted field as text, as pandas does', () => {
    expect(tokenize(['a,b\n5"7,x\n']).map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['5"7', 'x'],
    ]);
  });

  it('rejects text after a closing quote, and an unclosed quote, naming the line', () => {
    expect(() => tokenize(['a,b\n"x"y,1\n'])).toThrow(new CsvSyntaxError('text-after-closing-quote', 2));
    expect(() => tokenize(['a,b\n1,2\n3,"open\nmore\n'])).toThrow(/quote opened on line 3 is never closed/);
  });

  it('round-trips random fields written by formatCsvRow, whatever the chunking', () => {
    const rng = new SeededRng(99);
    const alphabet = ['a', 'Z', ' ', ',', '"', '\n', '\r\n', 'é', '漢', '😀', '-', '.'];
    for (let trial = 0; trial < 200; trial++) {
      const cols = 1 + rng.int(5);
      const rows = Array.from({ length: 1 + rng.int(6) }, () =>
        Array.from({ length: cols }, () =>
          Array.from({ length: rng.int(6) }, () => rng.pick(alphabet)).join(''),
        ),
      );
      // A record of one empty field is a blank line; pandas skips those too.
      const kept = rows.filter((r) => !(r.length === 1 && r[0] === ''));
      const eol = rng.bernoulli(0.5) ? '\n' : '\r\n';
      const text = rows.map((r) => formatCsvRow(r, eol)).join('');
      const parsed = tokenize(chunked(text, 1 + rng.int(8))).map((r) => r.fields);
      expect(parsed).toEqual(kept);
    }
  });

  it('gives the same records and lines with whole-line reads (native split) as one character at a time', () => {
    // Whole lines with no quote take a fast path; 1-character chunks never do. Lone CRs, blank lines, quotes in and
    // at the start of fields, and a last line without a line end must come out the same either way.
    const rng = new SeededRng(7);
    const pieces = [
      'a',
      'b1',
      '',
      ' x ',
      '5"7',
      '"q,""r"""',
      '"multi\nline"',
      ',',
      ',',
      ',',
      '\n',
      '\r\n',
      '\r',
      '\n\n',
      'é',
    ];
    for (let trial = 0; trial < 300; trial++) {
      const text = Array.from({ length: 1 + rng.int(40) }, () => rng.pick(pieces)).join('');
      let whole: { fields: string[]; line: number }[] | Error;
      let byChar: { fields: string[]; line: number }[] | Error;
      try {
        whole = tokenize(rng.bernoulli(0.5) ? [text] : chunked(text, 1 + rng.int(64)));
      } catch (error) {
        whole = error as Error;
      }
      try {
        byChar = tokenize(chunked(text, 1));
      } catch (error) {
        byChar = error as Error;
      }
      expect(whole, JSON.stringify(text)).toEqual(byChar);
    }
  });
});
