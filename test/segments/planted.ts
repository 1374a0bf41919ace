/**
 * Planted segment data for the segments tests (docs/segments.md): regions EU 45 %, US 35 %, APAC 10 %,
 * LATAM 6 %, AFR 4 %, 8 000 rows per dataset, and in the analysis APAC's `x` moved by 1.5 standard
 * deviations: drift in one small region only. Seeded: the same rows every time.
 */
import * as fs from 'fs';

const REGIONS: [string, number][] = [
  ['EU', 0.45],
  ['US', 0.35],
  ['APAC', 0.1],
  ['LATAM', 0.06],
  ['AFR', 0.04],
];
const N = 8000;

export interface DataRow {
  id: number;
  timestamp: string;
  region: string;
  x: number;
  colour: string;
  y_pred_proba: number;
  y_pred: number;
  y_true: number;
}

/** A seeded generator (mulberry32) and a normal variate from it (Box-Muller). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return { next, normal };
}

function dataset(seed: number, drift: boolean): DataRow[] {
  const r = rng(seed);
  const rows: DataRow[] = [];
  const start = Date.UTC(2024, 0, drift ? 200 : 1);
  for (let i = 0; i < N; i++) {
    let u = r.next();
    let region = REGIONS[REGIONS.length - 1][0];
    for (const [name, share] of REGIONS) {
      if (u < share) {
        region = name;
        break;
      }
      u -= share;
    }
    const x = r.normal() + (drift && region === 'APAC' ? 1.5 : 0);
    const colour = ['red', 'green', 'blue'][Math.floor(r.next() * 3)];
    const p = 1 / (1 + Math.exp(-x));
    const y_true = r.next() < p ? 1 : 0;
    const timestamp = new Date(start + i * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    rows.push({ id: i, timestamp, region, x: Math.round(x * 1e6) / 1e6, colour, y_pred_proba: Math.round(p * 1e6) / 1e6, y_pred: p >= 0.5 ? 1 : 0, y_true });
  }
  return rows;
}

export function plantedRegions(): { reference: DataRow[]; analysis: DataRow[] } {
  return { reference: dataset(1, false), analysis: dataset(2, true) };
}

export function csvOf(rows: DataRow[]): string {
  const header = Object.keys(rows[0]) as (keyof DataRow)[];
  return [header.join(','), ...rows.map((r) => header.map((h) => r[h]).join(','))].join('\n') + '\n';
}

export function writeCsv(file: string, rows: DataRow[]): void {
  fs.writeFileSync(file, csvOf(rows));
}
