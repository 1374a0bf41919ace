/**
 * Runs configured calculators on a reference and an analysis frame and returns run-contract rows.
 * Pure: frames in, rows out. Used by `vigil run`; the server uses the same fit/calculate steps per chunk.
 */
import { ChunkingParams, chunkFrame, ConfigError, DataError, FittedCalculator, MetricRow, Period, ResultRow } from './calculator';
import { Chunk, ChunkingError } from './chunking';
import { ColumnNotFoundError, Frame, sliceFrame } from './frame';
import { calculatorDefinition, calculatorNames } from './registry';
import { SortedFrames } from './sorted-frames';

export { prepareFrame, SortedFrames } from './sorted-frames';

export interface CalculatorConfig {
  className: string;
  id: string;
  params: Record<string, unknown>;
  /** key path for errors, e.g. `calculators[1]` */
  where: string;
}

export interface PreparedCalculator {
  config: CalculatorConfig;
  params: { chunking: ChunkingParams } & Record<string, unknown>;
  fit(reference: Frame): FittedCalculator;
}

/** Validates class and params without touching data, so config errors surface before any file is read. */
export function prepareCalculator(config: CalculatorConfig): PreparedCalculator {
  const def = calculatorDefinition(config.className);
  if (!def) {
    throw new ConfigError(`${config.where}.class`, `unknown calculator class '${config.className}' (known: ${calculatorNames().join(', ')})`);
  }
  const params = def.parseParams(config.params ?? {}, `${config.where}.params`) as PreparedCalculator['params'];
  return { config, params, fit: (reference) => def.fit(reference, params) };
}

export function chunkRecord(c: Chunk) {
  return { key: c.key, index: c.index, start_index: c.start, end_index: c.end, start_date: c.startDate, end_date: c.endDate };
}

/**
 * The run-contract order of one calculator's rows, from its rows in chunk order (reference chunks, then
 * analysis chunks, each chunk's rows as the calculator returned them): grouped per series (column,
 * metric), the series in order of first appearance, each series' rows in chunk order. `vigil run`
 * (assembleRows) and the server's stored results (service/read.ts) are both ordered by this function.
 */
export function orderBySeries<T extends { column: string | null; metric: string }>(rowsInChunkOrder: readonly T[]): T[] {
  const series = new Map<string, T[]>();
  for (const r of rowsInChunkOrder) {
    const key = `${r.column ?? ''}\u0000${r.metric}`;
    let list = series.get(key);
    if (!list) series.set(key, (list = []));
    list.push(r);
  }
  return [...series.values()].flat();
}

/** One calculator's run-contract rows from its per-chunk results (orderBySeries). */
export function assembleRows(
  config: CalculatorConfig,
  reference: { chunk: Chunk; rows: MetricRow[] }[],
  analysis: { chunk: Chunk; rows: MetricRow[] }[],
): ResultRow[] {
  const inChunkOrder: ResultRow[] = [];
  const add = (period: Period, chunk: Chunk, rows: MetricRow[]) => {
    const record = chunkRecord(chunk);
    for (const r of rows) inChunkOrder.push({ calculator: config.className, id: config.id, period, chunk: record, ...r });
  };
  for (const r of reference) add('reference', r.chunk, r.rows);
  for (const r of analysis) add('analysis', r.chunk, r.rows);
  return orderBySeries(inChunkOrder);
}

export function runCalculators(reference: Frame, analysis: Frame, configs: CalculatorConfig[]): ResultRow[] {
  const prepared = configs.map(prepareCalculator);
  const frames = new SortedFrames(reference, analysis);
  const out: ResultRow[] = [];
  for (const p of prepared) {
    // not push(...rows): hourly chunks × many series exceed the engine's argument limit
    for (const row of runPrepared(p, frames)) out.push(row);
  }
  return out;
}

/** One calculator's rows: fit on the reference, calculate per analysis chunk (also run on worker threads). */
export function runPrepared(p: PreparedCalculator, sorted: SortedFrames): ResultRow[] {
  return finishPrepared(p, fitPrepared(p, sorted), sorted);
}

/** A calculator fitted on the reference (or the error its fit raised, reported by finishPrepared). */
export type FitOutcome = { ok: true; fitted: FittedCalculator } | { ok: false; error: unknown };

/** The reference half of runPrepared: needs only the reference frame. */
export function fitPrepared(p: PreparedCalculator, sorted: SortedFrames): FitOutcome {
  try {
    const reference = sorted.sortedBy('reference', p.params.chunking.timestampColumn);
    return { ok: true, fitted: onDataset('reference', () => p.fit(reference)) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The analysis half: the rows of a fitted calculator. Errors come in the order of the sequential run
 * (both frames prepared, then fit, then calculate): an analysis frame that cannot be prepared is reported
 * before an error of the fit.
 */
export function finishPrepared(p: PreparedCalculator, fit: FitOutcome, sorted: SortedFrames): ResultRow[] {
  // A reference that could not be prepared comes first; any other fit error after the analysis's own.
  if (!fit.ok && !sorted.isSorted('reference', p.params.chunking.timestampColumn)) throw fit.error;
  const analysis = sorted.sortedBy('analysis', p.params.chunking.timestampColumn);
  if (!fit.ok) throw fit.error;
  const fitted = fit.fitted;
  const analysisResults = onDataset('analysis', () =>
    chunkFrame(analysis, fitted.chunking).map((chunk) => ({ chunk, rows: fitted.calculate(sliceFrame(analysis, chunk.start, chunk.end)) })),
  );
  return assembleRows(p.config, fitted.reference, analysisResults);
}

/** Names the dataset of a missing column, or of data the chunker cannot split (e.g. chunk_number > rows). */
export function onDataset<T>(dataset: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ColumnNotFoundError || e instanceof ChunkingError) throw new DataError(dataset, e.message);
    throw e;
  }
}
