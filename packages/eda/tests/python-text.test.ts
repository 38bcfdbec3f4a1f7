import { describe, expect, it } from 'vitest';
import { SeededRng } from '@mlops/core';
import {
  NA_TOKENS,
  PANDAS_NA_STRINGS,
  NumericOutcome,
  cleanText,
  coerceNumericCell,
  compareCodePoints,
  newCoercedNumber,
  pandasParseFloat,
  pythonTitle,
  readCsvNumber,
} from '../src/index.js';

// Expected values were produced by CPython 3.11 + pandas 1.5.3 (Debian) on the same inputs.
describe('cleanText (step 2: strip, collapse whitespace, delete non [\\w\\s\\-_.])', () => {
  it.each([
    [' fEMALE ', 'fEMALE'],
    ['a  \t b', 'a b'],
    [' ? ', ''],
    ['a ? b', 'a  b'],
    ['N/A', 'NA'],
    ['1,5', '15'],
    ['héllo wörld!', 'héllo wörld'],
    ['e\u0301t\u00e9', 'et\u00e9'],
    ['x\u00a0y', 'x y'],
    ['\u3000z\u3000', 'z'],
    ['x\ufeffy', 'xy'],
    ['tab\x1cx', 'tab x'],
    ['#N/A', 'NA'],
    ['a+b=c', 'abc'],
    ['٣٤', '٣٤'],
    ['_-.', '_-.'],
    ['\u0085pad\u0085', 'pad'],
  ])('%j → %j', (input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });
});

describe('pythonTitle (Python str.title)', () => {
  it.each([
    ['pUBLIC_tRANSPORTATION', 'Public_Transportation'],
    ["o'neil", "O'Neil"],
    ['1st', '1St'],
    ['ǆemal', 'ǅemal'],
    ['ßa', 'Ssa'],
    ['ΣΑΣ x', 'Σας X'],
    ['İx', 'İx'],
    ['ﬁne', 'Fine'],
    ['aLWAYS', 'Always'],
    ['NO', 'No'],
    ['hello world', 'Hello World'],
    ['x1y', 'X1Y'],
    ['ῳa', 'ῼa'],
    ['ǉ', 'ǈ'],
    ["mcdonald's", "Mcdonald'S"],
    ['ÉCOLE_élan', 'École_Élan'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(pythonTitle(input)).toBe(expected);
  });
});

describe('N/A handling', () => {
  it('has exactly the NA token list of the predecessor', () => {
    expect([...NA_TOKENS].sort()).toEqual(
      [
        'N/A',
        'n/a',
        'NA',
        'na',
        'nan',
        'NaN',
        'NAN',
        'null',
        'NULL',
        'None',
        'NONE',
        '?',
        'unknown',
        'bad',
        'missing',
        'MISSING',
        '',
        ' ',
        '  ',
      ].sort(),
    );
    expect(NA_TOKENS.has('Unknown')).toBe(false);
    expect(NA_TOKENS.has('   ')).toBe(false);
  });
  it('treats pandas read_csv NA strings as missing before cleaning (real NaN becomes "nan")', () => {
    for (const s of ['', 'NA', '#N/A', '-1.#IND', '<NA>', '-nan', 'None'])
      expect(PANDAS_NA_STRINGS.has(s)).toBe(true);
    expect(PANDAS_NA_STRINGS.has(' NAN ')).toBe(false); // padded: pandas keeps it, the cleaner's tokens catch it
  });
});

describe('numeric coercion (step 4, pd.to_numeric errors=coerce)', () => {
  const parse = (s: string) => {
    const v = pandasParseFloat(s, false).value;
    return Number.isNaN(v) ? null : v;
  };
  it.each([
    ['1.2.3', null],
    ['-', null],
    ['', null],
    ['.', null],
    ['5.', 5],
    ['.5', 0.5],
    ['-.5', -0.5],
    ['--1', null],
    ['1-2', null],
    ['0.30000000000000004', 0.3],
    ['0.1234567890123456789', 0.1234567890123456],
    ['123456789012345678901234', 1.2345678901234569e23],
    ['٣', null],
    ['1' + '0'.repeat(400), null],
    ['007', 7],
    ['22.0', 22],
  ])('%j → %j', (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  it('runs steps 2–4 on a cell and says what happened', () => {
    const cell = newCoercedNumber();
    expect(coerceNumericCell(' 22.0 ', cell)).toMatchObject({
      value: 22,
      outcome: NumericOutcome.ok,
      textChanged: true,
    });
    expect(coerceNumericCell('21', cell)).toMatchObject({
      value: 21,
      outcome: NumericOutcome.ok,
      integer: true,
    });
    expect(coerceNumericCell('', cell)).toMatchObject({ outcome: NumericOutcome.rawMissing });
    expect(coerceNumericCell(' NAN ', cell)).toMatchObject({ outcome: NumericOutcome.naToken });
    expect(coerceNumericCell('?', cell)).toMatchObject({ outcome: NumericOutcome.naToken });
    expect(coerceNumericCell('invalid', cell)).toMatchObject({ outcome: NumericOutcome.unparseable });
    expect(coerceNumericCell('1e5', cell)).toMatchObject({ value: 15, outcome: NumericOutcome.ok }); // 'e' removed
    expect(coerceNumericCell('+1,5 kg', cell)).toMatchObject({ value: 15 });
    expect(coerceNumericCell('1.2.3', cell)).toMatchObject({ outcome: NumericOutcome.unparseable });
    expect(Object.is(coerceNumericCell('-0', cell).value, -0)).toBe(true);
  });

  it("gives pandas' value for every plain decimal, on the native fast path (≤ 15 digits) and past it", () => {
    const rng = new SeededRng(11);
    const cell = newCoercedNumber();
    const digits = () => Array.from({ length: rng.int(12) }, () => String(rng.int(10))).join('');
    for (let k = 0; k < 20000; k++) {
      const whole = digits() || '0';
      const text = `${rng.bernoulli(0.3) ? '-' : ''}${whole}${rng.bernoulli(0.7) ? `.${digits()}` : ''}`;
      const expected = pandasParseFloat(text, false);
      coerceNumericCell(text, cell);
      expect(Object.is(cell.value, expected.value), text).toBe(true);
      expect(cell.integer, text).toBe(expected.integer);
    }
    // 16+ digits: pandas keeps 17 significant digits, Number() would round the whole text.
    expect(coerceNumericCell('0.30000000000000004', cell).value).toBe(0.3);
    expect(coerceNumericCell('0.30000000000000004', cell).plain).toBe(false);
    expect(coerceNumericCell('64.5', cell).plain).toBe(true);
    expect(coerceNumericCell('0.00001', cell).plain).toBe(false); // repr is 1e-05
  });

  it('types cells as read_csv would (float inference)', () => {
    expect(readCsvNumber(' 1.5 ')).toEqual({ value: 1.5, integer: false });
    expect(readCsvNumber('1e-5')).toEqual({ value: 1e-5, integer: false });
    expect(readCsvNumber('12')).toEqual({ value: 12, integer: true });
    expect(readCsvNumber('-Infinity')?.value).toBe(-Infinity);
    expect(readCsvNumber('1e')).toBeUndefined();
    expect(readCsvNumber('?')).toBeUndefined();
  });
});

describe('compareCodePoints (Python string order)', () => {
  it('orders by code point, not UTF-16 unit', () => {
    expect(compareCodePoints('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false); // JavaScript's own order differs
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('b', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('x', 'x')).toBe(0);
  });
});
