/**
 * Prometheus's JSON encoding of query results (web/api/v1/api.go + util/jsonutil):
 *  - a sample is `[<unix seconds>, "<value>"]`: the time a JSON number with at most 3 decimals
 *    (written from integer ms, so no float noise), the value a string of the shortest round-trip digits,
 *    in exponent form only below 1e-6 and from 1e21 (Go's strconv 'f'/'e' choice in Prometheus's
 *    marshalPointJSON), with `NaN`, `+Inf`, `-Inf` for the special values;
 *  - every series carries its full label set under `metric`.
 * Results are written as text directly: large matrices are the common case for Grafana panels. An
 * answer is written in pieces into UTF-8 buffers, checking the query's budget between pieces, so a
 * large one (tens of MB) neither holds the event loop nor needs one huge string (limits.ts).
 */
import { InstantValue, MatrixSeries, Sample } from './evaluator';
import { Labels, sortedNames } from './labels';
import { QueryBudget } from './limits';

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  // JavaScript switches to exponent form at the same bounds as Prometheus (|v| < 1e-6 or ≥ 1e21) and
  // prints the same shortest digits; Go writes at least two exponent digits (`1e-07`).
  const text = String(v);
  return text.includes('e') ? text.replace(/e([+-])(\d)$/, 'e$10$2') : text;
}

/** Unix seconds from ms, as Prometheus writes them: integer part, then `.` and 3 digits if not whole. */
export function formatTimestamp(ms: number): string {
  const t = Math.round(ms);
  const sign = t < 0 ? '-' : '';
  const abs = Math.abs(t);
  const secs = Math.floor(abs / 1000);
  const frac = abs % 1000;
  return frac === 0 ? `${sign}${secs}` : `${sign}${secs}.${String(frac).padStart(3, '0')}`;
}

/** Label sets are immutable and shared (series, groups derived from them): each is written once. */
const jsonOf = new WeakMap<Labels, string>();

export function labelsJson(l: Labels): string {
  let json = jsonOf.get(l);
  if (json === undefined) {
    json = `{${sortedNames(l)
      .map((n) => `${JSON.stringify(n)}:${JSON.stringify(l[n])}`)
      .join(',')}}`;
    jsonOf.set(l, json);
  }
  return json;
}

const point = (ms: number, v: number) => `[${formatTimestamp(ms)},"${formatValue(v)}"]`;

/**
 * An instant vector's answer, as text around its samples' time: the start and end of the answer, and a
 * sample's text before and after its time (the answer is VECTOR_START, the items joined by `,`,
 * VECTOR_END). model-partials.ts keeps answers as these pieces; writeVector writes them.
 */
export const VECTOR_START = '{"status":"success","data":{"resultType":"vector","result":[';
export const VECTOR_END = ']}}';
export const sampleHead = (labels: Labels) => `{"metric":${labelsJson(labels)},"value":[`;
export const sampleTail = (value: number) => `,"${formatValue(value)}"]}`;

/** Text gathered before it is encoded into a buffer (a few hundred kB: cheap to encode, few buffers). */
const FLUSH_CHARS = 256 * 1024;
/** Points written between two looks at the budget's clock. */
const POINTS_PER_CHECK = 2048;

/** Collects a JSON text as UTF-8 buffers and yields when the query's time slice is used up. */
class JsonWriter {
  private readonly parts: Buffer[] = [];
  private pending = '';
  private sinceCheck = 0;

  constructor(private readonly budget: QueryBudget) {}

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }

  /** Counts a point written; true when it is time to `await pause()` (a look at the clock per 2048). */
  tick(): boolean {
    if (++this.sinceCheck < POINTS_PER_CHECK) return false;
    this.sinceCheck = 0;
    return this.budget.due();
  }

  pause(): Promise<void> {
    return this.budget.pause();
  }

  private flush(): void {
    this.parts.push(Buffer.from(this.pending, 'utf8'));
    this.pending = '';
  }

  /** The whole text as one buffer, copied piece by piece (one copy of tens of MB takes tens of ms). */
  async finish(): Promise<Buffer> {
    this.flush();
    if (this.parts.length === 1) return this.parts[0];
    let size = 0;
    for (const p of this.parts) size += p.length;
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const p of this.parts) {
      p.copy(out, at);
      at += p.length;
      if (this.budget.due()) await this.budget.pause();
    }
    return out;
  }
}

/** A whole vector answer (VECTOR_START, the samples, VECTOR_END). */
async function writeVector(w: JsonWriter, samples: Sample[], time: number): Promise<void> {
  const t = formatTimestamp(time);
  w.write(VECTOR_START);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    w.write(`${i > 0 ? ',' : ''}${sampleHead(s.labels)}${t}${sampleTail(s.value)}`);
    if (w.tick()) await w.pause();
  }
  w.write(VECTOR_END);
}

async function writeMatrix(w: JsonWriter, series: MatrixSeries[]): Promise<void> {
  w.write('[');
  for (let k = 0; k < series.length; k++) {
    const s = series[k];
    w.write(`${k > 0 ? ',' : ''}{"metric":${labelsJson(s.labels)},"values":[`);
    for (let i = 0; i < s.timestamps.length; i++) {
      w.write(i > 0 ? `,${point(s.timestamps[i], s.values[i])}` : point(s.timestamps[i], s.values[i]));
      if (w.tick()) await w.pause();
    }
    w.write(']}');
  }
  w.write(']');
}

/** The whole success answer of an instant query, as UTF-8. */
export async function instantAnswer(v: InstantValue, time: number, budget: QueryBudget): Promise<Buffer> {
  const w = new JsonWriter(budget);
  if (v.kind === 'vector') {
    await writeVector(w, v.samples, time);
    return await w.finish();
  }
  w.write('{"status":"success","data":');
  switch (v.kind) {
    case 'scalar':
      w.write(`{"resultType":"scalar","result":${point(time, v.value)}}`);
      break;
    case 'string':
      w.write(`{"resultType":"string","result":[${formatTimestamp(time)},${JSON.stringify(v.value)}]}`);
      break;
    case 'matrix':
      w.write('{"resultType":"matrix","result":');
      await writeMatrix(w, v.series);
      w.write('}');
      break;
  }
  w.write('}');
  return await w.finish();
}

/** The whole success answer of a range query, as UTF-8. */
export async function rangeAnswer(series: MatrixSeries[], budget: QueryBudget): Promise<Buffer> {
  const w = new JsonWriter(budget);
  w.write('{"status":"success","data":{"resultType":"matrix","result":');
  await writeMatrix(w, series);
  w.write('}}');
  return await w.finish();
}

export function successJson(dataJson: string): string {
  return `{"status":"success","data":${dataJson}}`;
}
