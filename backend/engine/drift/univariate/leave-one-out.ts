/**
 * Leave-one-out thresholds (issue 17): `thresholds: {<method>: {type: standard_deviation, leave_one_out:
 * true}}`. NannyML scores each reference chunk against a reference that contains it, which biases those
 * values low (the chunk is partly compared with itself) and the std thresholds tight. With leave_one_out,
 * each reference chunk is scored against the reference without that chunk (the method refitted on the
 * other rows) before the mean and standard deviation are taken; the reference rows still show the value
 * against the whole reference, as analysis chunks are scored. The default stays NannyML's.
 */
import { chunkFrame, ChunkingParams, ConfigError } from '../../calculator';
import { Frame, sliceFrame, takeRows } from '../../frame';
import { Threshold, thresholdBounds } from '../../thresholds';

/** Splits `leave_one_out` off each threshold of a raw `thresholds` mapping; returns the methods that set it. */
export function takeLeaveOneOut(raw: Record<string, unknown>, where: string, canonical: (m: string) => string): { raw: Record<string, unknown>; methods: string[] } {
  const thresholds = raw.thresholds;
  if (typeof thresholds !== 'object' || thresholds === null || Array.isArray(thresholds)) return { raw, methods: [] };
  const methods: string[] = [];
  const stripped: Record<string, unknown> = {};
  for (const [method, t] of Object.entries(thresholds as Record<string, unknown>)) {
    if (typeof t !== 'object' || t === null || !('leave_one_out' in t)) {
      stripped[method] = t;
      continue;
    }
    const { leave_one_out: loo, ...rest } = t as Record<string, unknown>;
    const at = `${where}.thresholds.${method}.leave_one_out`;
    if (typeof loo !== 'boolean') throw new ConfigError(at, 'must be true or false');
    if (loo && rest.type !== 'standard_deviation') throw new ConfigError(at, 'applies to standard_deviation thresholds only (a constant threshold does not use the reference chunks)');
    if (loo) methods.push(canonical(method));
    stripped[method] = rest;
  }
  return { raw: { ...raw, thresholds: stripped }, methods };
}

/** The reference without rows [start, end] (a chunk's inclusive range). */
function without(reference: Frame, start: number, end: number): Frame {
  const order = new Int32Array(reference.length - (end - start + 1));
  let j = 0;
  for (let i = 0; i < reference.length; i++) if (i < start || i > end) order[j++] = i;
  return takeRows(reference, order);
}

/**
 * The constant threshold equal to a std threshold on leave-one-out values: `score(rest, chunk)` scores one
 * reference chunk against the reference without it (NaN when it cannot be scored).
 */
export function leaveOneOutThreshold(
  reference: Frame,
  chunking: ChunkingParams,
  threshold: Threshold,
  score: (rest: Frame, chunk: Frame) => number,
): { threshold: Threshold; values: number[] } {
  const values = chunkFrame(reference, chunking).map((c) => {
    const rest = without(reference, c.start, c.end);
    return rest.length === 0 ? NaN : score(rest, sliceFrame(reference, c.start, c.end));
  });
  const { lower, upper } = thresholdBounds(threshold, values);
  return { threshold: { type: 'constant', lower, upper }, values };
}
