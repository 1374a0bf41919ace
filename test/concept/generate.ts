/**
 * Generated binary-classification monitoring data for the concept-drift tests. Seeded.
 *
 * Inputs x1, x2 ~ N(μ, 1); the true relation P(y = 1 | x) = σ(1.5·x1 − x2). The monitored model knows it:
 * y_pred_proba = that probability rounded to 2 decimals (like NannyML's car-loan scores), y_pred =
 * [proba ≥ 0.5]. Per chunk, optionally:
 * - covariate shift: x1 ~ N(1.2, 1) instead of N(0, 1) — P(y | x) unchanged, so CBPE explains the change
 *   in performance (more confident scores, higher accuracy);
 * - concept shift: the labels follow σ(0.3·x1 − x2) — x1 matters far less than the model learned, so its
 *   scores no longer mean what they did.
 */
import { categorical, Frame, makeFrame, numeric } from '../../backend/engine/frame';
import { seededRandom } from '../../backend/engine/outliers/random';

export interface ConceptSpec {
  rows: number;
  chunkSize: number;
  seed: number;
  covariateChunks?: number[];
  conceptChunks?: number[];
  /** chunks whose targets are missing (not yet known) */
  unlabelledChunks?: number[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function generate(spec: ConceptSpec): Frame {
  const r = seededRandom(spec.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const n = spec.rows;
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const proba = new Float64Array(n);
  const yPred = new Float64Array(n);
  const yTrue = new Float64Array(n);
  const segment: string[] = [];
  for (let i = 0; i < n; i++) {
    const chunk = Math.floor(i / spec.chunkSize);
    x1[i] = normal() + (spec.covariateChunks?.includes(chunk) ? 1.2 : 0);
    x2[i] = normal();
    const p = sigmoid(1.5 * x1[i] - x2[i]);
    proba[i] = Math.round(p * 100) / 100;
    yPred[i] = proba[i] >= 0.5 ? 1 : 0;
    const truth = spec.conceptChunks?.includes(chunk) ? sigmoid(0.3 * x1[i] - x2[i]) : p;
    yTrue[i] = spec.unlabelledChunks?.includes(chunk) ? NaN : r.next() < truth ? 1 : 0;
    segment.push(x2[i] > 0 ? 'high' : 'low');
  }
  return makeFrame([
    numeric('x1', x1),
    numeric('x2', x2),
    categorical('segment', segment),
    numeric('y_pred_proba', proba),
    numeric('y_pred', yPred, 'int'),
    numeric('y_true', yTrue),
  ]);
}

/**
 * Regression data: y = 10 + 3·x1 + 2·x2 + ε with ε ~ N(0, (0.5 + |x1|)²), so the error grows with |x1| and a
 * shift of x1 changes the model's error in a way DLE can learn from the inputs. The model predicts the mean,
 * y_pred = 10 + 3·x1 + 2·x2. Covariate shift: x1 ~ N(0.7, 1) (inside the reference's range, where DLE has learnt). Concept shift: y = 10 + 1·x1 + 2·x2 + ε (x1
 * matters less than the model learned).
 */
export function generateRegression(spec: ConceptSpec): Frame {
  const r = seededRandom(spec.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const n = spec.rows;
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const yPred = new Float64Array(n);
  const yTrue = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const chunk = Math.floor(i / spec.chunkSize);
    x1[i] = normal() + (spec.covariateChunks?.includes(chunk) ? 0.7 : 0);
    x2[i] = normal();
    yPred[i] = 10 + 3 * x1[i] + 2 * x2[i];
    const slope = spec.conceptChunks?.includes(chunk) ? 1 : 3;
    const y = 10 + slope * x1[i] + 2 * x2[i] + (0.5 + Math.abs(x1[i])) * normal();
    yTrue[i] = spec.unlabelledChunks?.includes(chunk) ? NaN : y;
  }
  return makeFrame([numeric('x1', x1), numeric('x2', x2), numeric('y_pred', yPred), numeric('y_true', yTrue)]);
}
