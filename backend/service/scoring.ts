/**
 * On-demand outlier scoring (POST /api/models/{name}/score) with the isolation forest the model's
 * OutlierDetectionCalculator fitted on the reference. The engine module is looked up at run time so the
 * server builds and runs whether or not that calculator is part of this build (then: 501).
 */
import { FittedCalculator } from '../engine/calculator';
import { Frame } from '../engine/frame';

export interface ScoredRow {
  score: number;
  outlier: boolean;
  /** Features by decreasing share of the row's isolation. */
  contributions: { column: string; contribution: number }[];
}

export interface Scorer {
  owns(fitted: FittedCalculator): boolean;
  score(fitted: FittedCalculator, frame: Frame): { threshold: number; rows: ScoredRow[] };
}

interface OutlierModule {
  scoreRows(model: unknown, frame: Frame): { columns: string[]; scores: Float64Array; outliers: Uint8Array; contributions: Float64Array };
}

let cached: Scorer | null | undefined;

export function loadScorer(): Scorer | null {
  if (cached !== undefined) return cached;
  let mod: Partial<OutlierModule> | null = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../engine/outliers/calculator') as Partial<OutlierModule>;
  } catch {
    mod = null;
  }
  if (!mod || typeof mod.scoreRows !== 'function') return (cached = null);
  const scoreRows = mod.scoreRows;
  const modelOf = (f: FittedCalculator) => (f as unknown as { model?: { forest?: unknown; scoreThreshold?: number } }).model;
  cached = {
    owns: (f) => {
      const m = modelOf(f);
      return !!m && m.forest !== undefined && typeof m.scoreThreshold === 'number';
    },
    score: (f, frame) => {
      const model = modelOf(f)!;
      const r = scoreRows(model, frame);
      const d = r.columns.length;
      const rows: ScoredRow[] = [];
      for (let i = 0; i < frame.length; i++) {
        const contributions = r.columns
          .map((column, j) => ({ column, contribution: r.contributions[i * d + j] }))
          .sort((a, b) => b.contribution - a.contribution || (a.column < b.column ? -1 : 1));
        rows.push({ score: r.scores[i], outlier: r.outliers[i] === 1, contributions });
      }
      return { threshold: model.scoreThreshold!, rows };
    },
  };
  return cached;
}
