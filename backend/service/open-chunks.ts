/**
 * Open chunks and their alerts: the one rule every read path applies (REST results and alerts,
 * /api/query frames, the Prometheus series and /metrics; docs/prometheus.md "Open chunks").
 *
 * A chunk is *open* while it can still change: a period chunk whose period has not ended at the server's
 * clock, or the last size chunk while it holds fewer rows than a full one (a flag stored with the chunk).
 * Its values are shown, marked open, but by default its alert is reported as false: a day cut at 01:00
 * holds an hour of rows, and NannyML's thresholds (derived from full reference chunks) flag such a
 * short chunk far more often than a full one. The last closed chunk keeps deciding the alert state.
 *
 * A model may opt in to alerting on open chunks once they hold at least N rows
 * (`"alerting": {"open_chunks_min_rows": N}` in its definition).
 */
import { ModelDefinition } from './definition';

export interface OpenChunkPolicy {
  /** Period chunking: open while the period has not ended; otherwise the stored flag decides. */
  periodChunks: boolean;
  /** An open chunk alerts once it holds at least this many rows; null: never. */
  minRows: number | null;
}

/** The part of a stored result row the rule reads. */
export interface ChunkedResult {
  period: 'reference' | 'analysis';
  partial: boolean;
  alert: boolean | null;
  chunk: { start_index: number; end_index: number; end_date: number | null };
}

export function openChunkPolicy(def: Pick<ModelDefinition, 'chunking' | 'alerting'>): OpenChunkPolicy {
  return { periodChunks: def.chunking.chunk_period !== undefined, minRows: def.alerting?.open_chunks_min_rows ?? null };
}

/** Whether an analysis chunk is still open at `now` (epoch ms). Reference chunks never are. */
export function isOpen(policy: OpenChunkPolicy, r: ChunkedResult, now: number): boolean {
  if (r.period !== 'analysis') return false;
  if (policy.periodChunks) return r.chunk.end_date !== null && r.chunk.end_date >= now;
  return r.partial;
}

const rowsOf = (r: ChunkedResult) => r.chunk.end_index - r.chunk.start_index + 1;

/**
 * The alert a read path reports: the computed one for a closed chunk; for an open chunk false (a
 * computed null stays null), unless the model opted in and the chunk holds enough rows.
 */
export function effectiveAlert(policy: OpenChunkPolicy, r: ChunkedResult, now: number): boolean | null {
  if (r.alert !== true || !isOpen(policy, r, now)) return r.alert;
  return policy.minRows !== null && rowsOf(r) >= policy.minRows;
}
