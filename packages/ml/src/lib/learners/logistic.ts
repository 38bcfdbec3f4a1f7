/**
 * Multinomial logistic regression with an L2 penalty, as scikit-learn's LogisticRegression(multi_class="multinomial",
 * penalty="l2", C) defines it: minimise C · Σ wᵢ · (−log pᵢ[yᵢ]) + ½‖W‖² (the intercept is not penalised), fitted
 * by L-BFGS from zero weights (deterministic). Its inference is @mlops/model's kind "logistic_regression".
 */
import { softmaxInPlace, type LogisticRegressionJson } from '@mlops/model';
import type { FitContext, FitData, Learner } from '../learner.js';
import { lbfgs } from '../optim/lbfgs.js';

export interface LogisticRegressionParams {
  /** Inverse regularisation strength (> 0). */
  readonly C: number;
  readonly max_iter: number;
  /** Stop when max |gradient| of the objective ≤ tol (scikit-learn's default 1e-4). */
  readonly tol?: number;
}

export interface LogisticRegressionLearner extends Learner {
  fit(data: FitData, context: FitContext): LogisticRegressionJson;
}

export function logisticRegressionLearner(params: LogisticRegressionParams): LogisticRegressionLearner {
  return {
    name: 'LogisticRegression',
    fit(data: FitData, context: FitContext): LogisticRegressionJson {
      const { x, y, nClasses: k } = data;
      const d = x.cols;
      const n = x.rows;
      const w = data.sampleWeight;
      const width = d + 1; // weights of one class, then its intercept
      const z = new Float64Array(k);
      const invC = 1 / params.C;
      const objective = (theta: Float64Array, grad: Float64Array): number => {
        grad.fill(0);
        let loss = 0;
        for (let r = 0; r < n; r++) {
          const xo = r * d;
          for (let c = 0; c < k; c++) {
            const wo = c * width;
            let v = theta[wo + d]!;
            for (let j = 0; j < d; j++) v += theta[wo + j]! * x.data[xo + j]!;
            z[c] = v;
          }
          // log-sum-exp for the loss, softmax for the gradient
          let max = -Infinity;
          for (let c = 0; c < k; c++) if (z[c]! > max) max = z[c]!;
          let sum = 0;
          for (let c = 0; c < k; c++) sum += Math.exp(z[c]! - max);
          const weight = w ? w[r]! : 1;
          loss += weight * (max + Math.log(sum) - z[y[r]!]!);
          softmaxInPlace(z, 0, k);
          for (let c = 0; c < k; c++) {
            const delta = weight * (z[c]! - (y[r] === c ? 1 : 0));
            if (delta === 0) continue;
            const wo = c * width;
            for (let j = 0; j < d; j++) grad[wo + j]! += delta * x.data[xo + j]!;
            grad[wo + d]! += delta;
          }
        }
        // scale by 1/C (same minimiser as C·loss + ½‖W‖², better conditioned numbers) and add the penalty
        let penalty = 0;
        for (let c = 0; c < k; c++) {
          const wo = c * width;
          for (let j = 0; j < d; j++) {
            const t = theta[wo + j]!;
            penalty += t * t;
            grad[wo + j] = grad[wo + j]! + invC * t;
          }
        }
        return loss + 0.5 * invC * penalty;
      };
      const result = lbfgs(objective, new Float64Array(k * width), {
        maxIterations: params.max_iter,
        tolerance: 1e-5,
      });
      context.onProgress?.(1);
      const coef: number[] = [];
      const intercept: number[] = [];
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) coef.push(result.x[c * width + j]!);
        intercept.push(result.x[c * width + d]!);
      }
      return { kind: 'logistic_regression', nFeatures: d, nClasses: k, coef, intercept };
    },
  };
}
