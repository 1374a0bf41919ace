/**
 * `vigil demo [--port N] [--db PATH]`: the server with the generated demo models loaded and computed
 * before the port opens: `demo` (default calculators, planted events) and `demo_regions` (segmented by
 * region, drift planted in one region; `--no-segments` leaves it out). Their timestamps run up to now, so
 * Grafana's default ranges show them. Both are regenerated on every start; other models in the same
 * database are left alone.
 * `--now` (or VIGIL_DEMO_NOW) pins the end of the data to a given instant instead of the wall clock, so
 * the dates and the last day's rows are the same on every start (tests use it); the server's clock then
 * stands still at that instant, so the last day is open as it would be at that time.
 */
import { createLogger, parseLogLevel } from '../service/log';
import { DEMO_DEFAULTS } from '../demo/dataset';
import { loadDemo } from '../demo/load';
import { loadSegmentedDemo } from '../demo/segmented';
import { UsageError } from './run';
import { ENV_HELP, parseServeArgs, runUntilSignal, serverOptionsFromEnv } from './serve';

/** The demo keeps its own database unless told otherwise, so it never mixes with ./data/vigil.db. */
export const DEMO_DB = './data/demo.db';

const USAGE = 'usage: vigil demo [--port N] [--db PATH] [--host HOST] [--days N] [--rows-per-day N] [--seed N] [--now ISO-8601] [--no-segments]';

/** An ISO 8601 instant with a date and a time and an explicit zone, e.g. 2026-03-15T10:30:00Z. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function parseNow(where: string, v: string): number {
  const t = Date.parse(v);
  if (!ISO_INSTANT.test(v) || !Number.isFinite(t)) throw new UsageError(`${where}: '${v}' must be an ISO 8601 instant with a zone, e.g. 2026-03-15T10:30:00Z`);
  return t;
}

export async function demoCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n${ENV_HELP}\n`);
    return 0;
  }
  const env = process.env;
  let analysisDays = DEMO_DEFAULTS.analysisDays;
  let rowsPerDay = DEMO_DEFAULTS.rowsPerDay;
  let seed = DEMO_DEFAULTS.seed;
  let segments = true;
  let now: number | null = env.VIGIL_DEMO_NOW ? parseNow('VIGIL_DEMO_NOW', env.VIGIL_DEMO_NOW) : null;
  const int = (flag: string, v: string, min: number) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min) throw new UsageError(`${flag}: '${v}' must be an integer ≥ ${min}`);
    return n;
  };
  const parsed = parseServeArgs(args, { ...env, VIGIL_DB: env.VIGIL_DB || DEMO_DB }, USAGE, (flag, value) => {
    if (flag === '--days') analysisDays = int(flag, value(), 1);
    else if (flag === '--rows-per-day') rowsPerDay = int(flag, value(), 10);
    else if (flag === '--seed') seed = int(flag, value(), 0);
    else if (flag === '--no-segments') segments = false;
    else if (flag === '--now') now = parseNow(flag, value());
    else return false;
    return true;
  });
  const log = createLogger(parseLogLevel(env.VIGIL_LOG_LEVEL));
  const options = serverOptionsFromEnv(parsed, env, log);
  // A pinned demo is a snapshot of that instant: its clock stands still there, so the last day stays open
  // (still filling) as it would be at that time of day, whatever the wall clock says.
  const pinned = now;
  if (pinned !== null) options.now = () => pinned;
  options.prepare = async (service) => {
    const end = now ?? Date.now();
    log.info('generating the demo model', { days: analysisDays, rows_per_day: rowsPerDay, seed, now: new Date(end).toISOString(), pinned: now !== null });
    const s = await loadDemo(service, { now: end, analysisDays, rowsPerDay, seed });
    // The segmented model (docs/segments.md), drift planted in the west region only: what the dashboards'
    // Segments row shows. With it, `/api/query` without ?model= is a 400 (several models): name the model.
    const regions = segments ? await loadSegmentedDemo(service, { now: end, analysisDays, rowsPerDay, seed }) : null;
    log.info('demo model ready', {
      model: s.model,
      reference_rows: s.referenceRows,
      analysis_rows: s.analysisRows,
      late_targets: s.lateTargets,
      analysis_start: new Date(s.analysisStart).toISOString(),
      ms: s.ms,
      ...(regions ? { segmented_model: regions.model, segments: regions.segments, segmented_ms: regions.ms } : {}),
      try: [`curl '${'http://127.0.0.1:' + (parsed.port || 'PORT')}/api/query?model=demo'`, `curl '${'http://127.0.0.1:' + (parsed.port || 'PORT')}/api/models/demo/results?period=analysis&metric=jensen_shannon'`],
    });
  };
  return runUntilSignal(options, log);
}
