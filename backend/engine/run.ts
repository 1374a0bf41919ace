/**
 * Runs configured calculators on a reference and an analysis frame and returns run-contract rows.
 * Pure: frames in, rows out. Used by `vigil run`; the server uses the same fit/calculate steps per chunk.
 */
import { ChunkingParams, chunkFrame, ConfigError, DataError, FittedCalculator, MetricRow, Period, ResultRow } from './calculator';
import { Chunk, ChunkingError } from './chunking';
import { ColumnNotFoundError, Frame, makeFrame, sliceFrame, sortByColumn } from './frame';
import { CALCULATORS, calculatorNames } from './registry';
import { TimestampError, toTimestampColumn } from './timestamps';

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
  const def = CALCULATORS.get(config.className);
  if (!def) {
    throw new ConfigError(`${config.where}.class`, `unknown calculator class '${config.className}' (known: ${calculatorNames().join(', ')})`);
  }
  const params = def.parseParams(config.params ?? {}, `${config.where}.params`) as PreparedCalculator['params'];
  return { config, params, fit: (reference) => def.fit(reference, params) };
}

/** Converts the timestamp column to epoch ms and sorts stably by it (spec §0 "Sorting"). */
export function prepareFrame(frame: Frame, dataset: string, timestampColumn: string | null): Frame {
  if (frame.length === 0) throw new DataError(dataset, 'no data rows');
  if (!timestampColumn) return frame;
  const col = frame.columns.get(timestampColumn);
  if (!col) throw new DataError(dataset, `column '${timestampColumn}' not found (timestamp_column_name)`);
  let ts;
  try {
    ts = toTimestampColumn(col);
  } catch (e) {
    if (e instanceof TimestampError) throw new DataError(dataset, e.message);
    throw e;
  }
  const cols = frame.names.map((n) => (n === timestampColumn ? ts : frame.columns.get(n)!));
  return sortByColumn(makeFrame(cols, frame.length), timestampColumn);
}

export function chunkRecord(c: Chunk) {
  return { key: c.key, index: c.index, start_index: c.start, end_index: c.end, start_date: c.startDate, end_date: c.endDate };
}

/** Orders rows per series (column, metric): reference chunks first, then analysis, in chunk order. */
export function assembleRows(
  config: CalculatorConfig,
  reference: { chunk: Chunk; rows: MetricRow[] }[],
  analysis: { chunk: Chunk; rows: MetricRow[] }[],
): ResultRow[] {
  const series = new Map<string, ResultRow[]>();
  const add = (period: Period, chunk: Chunk, rows: MetricRow[]) => {
    for (const r of rows) {
      const key = `${r.column ?? ''}\u0000${r.metric}`;
      let list = series.get(key);
      if (!list) series.set(key, (list = []));
      list.push({ calculator: config.className, id: config.id, period, chunk: chunkRecord(chunk), ...r });
    }
  };
  for (const r of reference) add('reference', r.chunk, r.rows);
  for (const r of analysis) add('analysis', r.chunk, r.rows);
  return [...series.values()].flat();
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

/** The reference and analysis frames sorted by each timestamp column asked for, each sorted once. */
export class SortedFrames {
  private readonly cache = new Map<string, { reference: Frame; analysis: Frame }>();

  constructor(
    private readonly reference: Frame,
    private readonly analysis: Frame,
  ) {}

  get(timestampColumn: string | null): { reference: Frame; analysis: Frame } {
    const key = timestampColumn ?? '';
    let frames = this.cache.get(key);
    if (!frames) {
      frames = { reference: prepareFrame(this.reference, 'reference', timestampColumn), analysis: prepareFrame(this.analysis, 'analysis', timestampColumn) };
      this.cache.set(key, frames);
    }
    return frames;
  }
}

/** One calculator's rows: fit on the reference, calculate per analysis chunk (also run on worker threads). */
export function runPrepared(p: PreparedCalculator, sorted: SortedFrames): ResultRow[] {
  const frames = sorted.get(p.params.chunking.timestampColumn);
  const fitted = onDataset('reference', () => p.fit(frames.reference));
  const analysisResults = onDataset('analysis', () =>
    chunkFrame(frames.analysis, fitted.chunking).map((chunk) => ({ chunk, rows: fitted.calculate(sliceFrame(frames.analysis, chunk.start, chunk.end)) })),
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
