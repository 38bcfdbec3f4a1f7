/**
 * L-BFGS minimisation (Nocedal & Wright, algorithm 7.4: two-loop recursion, m stored pairs) with a backtracking
 * line search on the Armijo condition; a pair is kept only when its curvature yᵀs is positive, so the implied
 * Hessian stays positive definite. Deterministic: no randomness, plain loops over Float64Arrays.
 */

/** Writes the gradient at `x` into `grad` and returns the objective. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  readonly maxIterations: number;
  /** Stop when max |gradient| ≤ tolerance. */
  readonly tolerance?: number;
  readonly memory?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function lbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const m = options.memory ?? 10;
  const tol = options.tolerance ?? 1e-5;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = objective(x, g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let iterations = 0;
  let converged = maxAbs(g) <= tol;
  while (!converged && iterations < options.maxIterations) {
    iterations++;
    // d = -H g by the two-loop recursion
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let j = s.length - 1; j >= 0; j--) {
      alpha[j] = rho[j]! * dot(s[j]!, d);
      const yj = y[j]!;
      for (let i = 0; i < n; i++) d[i]! -= alpha[j]! * yj[i]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!);
      for (let i = 0; i < n; i++) d[i]! *= gamma;
    } else {
      // first step: a unit-length steepest descent step
      const norm = Math.sqrt(dot(d, d));
      if (norm > 0) for (let i = 0; i < n; i++) d[i]! /= Math.max(1, norm);
    }
    for (let j = 0; j < s.length; j++) {
      const beta = rho[j]! * dot(y[j]!, d);
      const sj = s[j]!;
      for (let i = 0; i < n; i++) d[i]! += (alpha[j]! - beta) * sj[i]!;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // not a descent direction (numerical trouble): restart from steepest descent
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = dot(g, d);
    }
    let step = 1;
    let fNew = NaN;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      fNew = objective(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) break; // no decrease possible: at the precision limit
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = xNew[i]! - x[i]!;
      yk[i] = gNew[i]! - g[i]!;
    }
    const ys = dot(yk, sk);
    if (ys > 1e-12) {
      if (s.length === m) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / ys);
    }
    const decrease = f - fNew;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    converged = maxAbs(g) <= tol;
    if (!converged && decrease <= 1e-15 * Math.max(1, Math.abs(f))) break;
  }
  return { x, value: f, iterations, converged };
}
