/**
 * Renders bench/results.json as the Markdown table of docs/performance.md:
 *
 *   node -r ./bench/register.js bench/report.ts [bench/results.json]
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ScenarioResult } from './scenario';

interface ResultsFile {
  generated_at: string;
  quick: boolean;
  machine: { cpus: number; cpu_model: string; memory_gib: number; node: string; python_numpy_scipy: string; load_average: number[] };
  scenarios: ScenarioResult[];
}

const n = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const k = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${Math.round(v / 1000)}k`);

/** The scenario's headline numbers in words. */
function measured(r: ScenarioResult): string {
  const m = r.metrics;
  if (r.id === 'ingest') {
    return `${k(m.rows_per_s)} rows/s acknowledged (${k(m.ingest_rows)} rows, batch p50 ${n(m.batch_p50_ms, 0)} ms); 10k-row ingest → results ${n(m.incremental_latency_median_ms, 0)} ms median, ${n(m.incremental_latency_max_ms, 0)} ms max; server peak ${n(m.peak_rss_mib, 0)} MiB`;
  }
  if (r.id === 'query') {
    return `/api/query p50 ${n(m.api_query_p50_ms, 1)} / p99 ${n(m.api_query_p99_ms, 1)} ms at ${n(m.api_query_requests_per_s, 0)} req/s; query_range p50 ${n(m.query_range_p50_ms, 1)} / p99 ${n(m.query_range_p99_ms, 1)} ms at ${n(m.query_range_requests_per_s, 0)} req/s (paced 10 req/s per client: p99 ${n(m.api_query_paced_p99_ms, 1)} / ${n(m.query_range_paced_p99_ms, 1)} ms)`;
  }
  const parts = [`${n(m.wall_s)} s wall, ${n(m.cpu_s)} s CPU, peak ${n(m.peak_rss_mib, 0)} MiB, ${k(m.rows_per_s)} rows/s`];
  if (m.baseline_wall_s !== undefined && m.speedup === undefined) {
    parts.push(`Python, for the calculators it has, ${n(m.baseline_wall_s)} s wall / ${n(m.baseline_cpu_s)} s CPU (no ratio: not like for like)`);
  } else if (m.baseline_wall_s !== undefined) {
    parts.push(
      `Python ${n(m.baseline_wall_s)} s wall / ${n(m.baseline_cpu_s)} s CPU (CSV ${n(m.baseline_read_s)} s): ${n(m.speedup, 1)}× wall, ${n(m.cpu_speedup, 1)}× CPU, ${n(m.speedup_without_csv, 1)}× CPU without CSV reading`,
    );
  }
  for (const [peer, name] of [['nannyml', 'NannyML 0.13.1'], ['evidently', 'Evidently 0.7 (drift tests only)']] as const) {
    if (m[`${peer}_wall_s`] === undefined) continue;
    parts.push(
      `${name} ${n(m[`${peer}_wall_s`])} s wall / ${n(m[`${peer}_cpu_s`])} s CPU / ${n(m[`${peer}_peak_rss_mib`], 0)} MiB: Vigil ${n(m[`${peer}_wall_ratio`], 1)}× faster (wall), ${n(m[`${peer}_cpu_ratio`], 1)}× less CPU, ${n(m[`${peer}_rss_ratio`], 1)}× less memory`,
    );
  }
  return parts.join('; ');
}

export function renderMarkdown(file: ResultsFile): string {
  const lines = [
    `Measured ${file.generated_at.slice(0, 16).replace('T', ' ')} UTC on ${file.machine.cpus} × ${file.machine.cpu_model}, ${file.machine.memory_gib} GiB, Node ${file.machine.node}, Python/numpy/scipy ${file.machine.python_numpy_scipy}${file.quick ? ' (--quick sizes)' : ''}.`,
    '',
    '| scenario | measured | target | met |',
    '|---|---|---|---|',
  ];
  for (const r of file.scenarios) {
    const targets = r.targets.map((t) => `${t.name} ${t.target}`).join('; ') || '–';
    const met = r.status !== 'ok' ? r.status : r.targets.length === 0 ? '–' : r.targets.map((t) => (t.ok === null ? '?' : t.ok ? 'yes' : 'no')).join(', ');
    const load = r.metrics.load_average_1m;
    const loadNote = load !== undefined && load !== null && load > file.machine.cpus ? ` (load ${n(load, 1)})` : '';
    lines.push(`| \`${r.id}\` ${r.title}${loadNote} | ${measured(r)} | ${targets} | ${met} |`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2] ?? path.join(__dirname, 'results.json');
  process.stdout.write(renderMarkdown(JSON.parse(fs.readFileSync(file, 'utf8'))) + '\n');
}
