/**
 * Number formatting that matches Python's `repr(float)`, which pandas uses when it writes a float column to CSV:
 * the shortest round-trip digits, `.0` on whole numbers, scientific notation below 1e-4 and from 1e16 on,
 * with a signed two-digit exponent (`1e-05`, `1.5e+16`), and `nan` / `inf` / `-inf`.
 */
export function formatPythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // Fast path: in [1e-4, 1e16) both languages print the same shortest digits in fixed notation.
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const text = String(x);
    return Number.isInteger(x) ? `${text}.0` : text;
  }
  return formatFromDigits(x);
}

/** The general rule, from the shortest round-trip digits and the decimal exponent (finite, non-zero x). */
export function formatFromDigits(x: number): string {
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exponent = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const frac = digits.slice(1);
    const exp = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${frac ? '.' + frac : ''}e${exp}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const intLen = exponent + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, '0')}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/**
 * A list of names for a one-line message, capped: all of them when there are at most `max`, else the first `max`
 * and how many more (`a, b, c, … and 99,997 more (100,000 in all)`), so 100,000 unknown columns make a short
 * warning, not a 789 KB line.
 */
export function listForMessage(names: readonly string[], max = 10, quote = false): string {
  const show = (n: string) => (quote ? `"${n}"` : n);
  if (names.length <= max) return names.map(show).join(', ');
  return (
    `${names.slice(0, max).map(show).join(', ')}, … and ${(names.length - max).toLocaleString('en-US')} more ` +
    `(${names.length.toLocaleString('en-US')} in all)`
  );
}
