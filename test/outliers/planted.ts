/**
 * Generated monitoring data with planted anomalies, for the outlier tests. Seeded: the same arguments give
 * the same frames.
 *
 * Features: six correlated numeric columns x0..x5 (x_j = z_j + 0.5·u, standard normals), a categorical
 * `channel` (web 50 %, app 30 %, store 19.5 %, fax 0.5 %) and a boolean `member`. Planted rows:
 * - `x2` anomalies: x2 = 8 + |noise| (the reference x2 has sd ≈ 1.1) in the given chunks;
 * - `channel` anomalies: channel = 'pigeon', a category the reference never had.
 */
import { Column, categorical, Frame, makeFrame, numeric } from '../../backend/engine/frame';
import { seededRandom } from '../../backend/engine/outliers/random';

export interface PlantSpec {
  rows: number;
  chunkSize: number;
  seed: number;
  /** chunk indices where a share of rows gets an extreme x2 */
  x2Chunks?: number[];
  /** chunk indices where a share of rows gets the unseen channel 'pigeon' */
  channelChunks?: number[];
  /** share of rows planted in a planted chunk */
  share?: number;
}

export interface Planted {
  frame: Frame;
  /** planted row indices → planted feature */
  planted: Map<number, 'x2' | 'channel'>;
}

const CHANNELS: [string, number][] = [
  ['web', 0.5],
  ['app', 0.3],
  ['store', 0.195],
  ['fax', 0.005],
];

export function generate(spec: PlantSpec): Planted {
  const r = seededRandom(spec.seed);
  const normal = () => {
    // Box–Muller
    const u = 1 - r.next();
    const v = r.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const n = spec.rows;
  const xs = Array.from({ length: 6 }, () => new Float64Array(n));
  const channel: string[] = [];
  const member: boolean[] = [];
  const planted = new Map<number, 'x2' | 'channel'>();
  const share = spec.share ?? 0.05;
  for (let i = 0; i < n; i++) {
    const u = normal();
    for (let j = 0; j < 6; j++) xs[j][i] = normal() + 0.5 * u + j;
    const c = r.next();
    let acc = 0;
    let level = CHANNELS[CHANNELS.length - 1][0];
    for (const [name, p] of CHANNELS) {
      acc += p;
      if (c < acc) {
        level = name;
        break;
      }
    }
    channel.push(level);
    member.push(r.next() < 0.3);
    const chunk = Math.floor(i / spec.chunkSize);
    if (spec.x2Chunks?.includes(chunk) && r.next() < share) {
      xs[2][i] = 2 + 8 + Math.abs(normal());
      planted.set(i, 'x2');
    } else if (spec.channelChunks?.includes(chunk) && r.next() < share) {
      channel[i] = 'pigeon';
      planted.set(i, 'channel');
    }
  }
  const columns: Column[] = [...xs.map((x, j) => numeric(`x${j}`, x)), categorical('channel', channel), categorical('member', member)];
  return { frame: makeFrame(columns, n), planted };
}

export const FEATURES = ['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'channel', 'member'];
