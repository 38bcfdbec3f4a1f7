import { describe, expect, it } from 'vitest';
import { GrowableArray } from '../src/lib/growable.js';

describe('GrowableArray', () => {
  it('grows past its capacity keeping every value, and reserves or widens without losing any', () => {
    const a = new GrowableArray((n) => new Uint8Array(n), 2);
    for (let i = 0; i < 5; i++) a.push(i * 50);
    expect(Array.from(a.view())).toEqual([0, 50, 100, 150, 200]);
    expect(a.get(3)).toBe(150);
    a.reserve(100);
    a.push(250);
    const wide = a.widen((n) => new Uint16Array(n));
    wide.push(300);
    expect(Array.from(wide.copy())).toEqual([0, 50, 100, 150, 200, 250, 300]);
    expect(wide.copy()).toBeInstanceOf(Uint16Array);
  });

  it('compact: a view of a mostly full buffer, an exact copy of a mostly empty one', () => {
    const full = new GrowableArray((n) => new Float64Array(n), 4);
    [1, 2, 3].forEach((v) => full.push(v));
    expect(full.compact().buffer.byteLength).toBe(4 * 8); // 3 of 4 used: the buffer itself
    const sparse = new GrowableArray((n) => new Float64Array(n), 16);
    [1, 2].forEach((v) => sparse.push(v));
    expect(sparse.compact().buffer.byteLength).toBe(2 * 8);
    expect(Array.from(sparse.compact())).toEqual([1, 2]);
  });
});
