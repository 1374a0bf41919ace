import { KERNELS } from '../../../../test/fixtures/univariate/kernels';
import { doaneEdges, edgeValues, histogram, linspaceEdges, withLeftoverBin } from './histogram';

/** numpy's searchsorted-based count on explicit edges, written the slow obvious way. */
function naiveCounts(values: number[], edges: number[]): number[] {
  const k = edges.length - 1;
  const counts = new Array(k).fill(0);
  for (const x of values) {
    for (let i = 0; i < k; i++) {
      const inBin = i === k - 1 ? edges[i] <= x && x <= edges[i + 1] : edges[i] <= x && x < edges[i + 1];
      if (inBin) {
        counts[i]++;
        break;
      }
    }
  }
  return counts;
}

describe('linspaceEdges', () => {
  it('gives numpy linspace values with the last edge exactly b', () => {
    expect(edgeValues(linspaceEdges(0, 1, 4))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const e = edgeValues(linspaceEdges(0.1, 0.7, 3));
    expect(e[3]).toBe(0.7);
    expect(e[1]).toBe(1 * ((0.7 - 0.1) / 3) + 0.1);
  });

  it('repeats a when the range is empty', () => {
    expect(edgeValues(linspaceEdges(2, 2, 3))).toEqual([2, 2, 2, 2]);
  });
});

describe('histogram', () => {
  it('closes the last bin, skips NaN, and counts values outside the edges separately', () => {
    const h = histogram([0, 0.25, 0.5, 0.999, 1, -1, 2, NaN], linspaceEdges(0, 1, 4));
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 2]);
    expect([h.inRange, h.below, h.above]).toEqual([5, 1, 1]);
  });

  it('puts values exactly on an edge in the bin that starts there, despite rounding in the direct index', () => {
    // (x − a)·k/(b − a) rounds below the integer for several of these edges.
    const edges = linspaceEdges(0.1, 0.7, 6);
    const h = histogram(edgeValues(edges), edges);
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 1, 1, 2]);
    const random = Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 3.3);
    for (const [a, b, k] of [[-3.3, 3.3, 7], [-1, 2.2, 1000], [0.3, 0.9, 13]] as const) {
      const e = linspaceEdges(a, b, k);
      const values = [...random, ...edgeValues(e)];
      expect(Array.from(histogram(values, e).counts)).toEqual(naiveCounts(values, edgeValues(e)));
    }
  });

  it('puts every value equal to a degenerate range in the last bin (numpy searchsorted)', () => {
    const h = histogram([5, 5, 4, 6], linspaceEdges(5, 5, 3));
    expect(Array.from(h.counts)).toEqual([0, 0, 2]);
    expect([h.below, h.above]).toEqual([1, 1]);
  });
});

describe('doaneEdges', () => {
  it('widens all-equal values by half a unit into one bin (first == last)', () => {
    expect(edgeValues(doaneEdges(Float64Array.of(5, 5, 5)))).toEqual([4.5, 5.5]);
  });

  it('uses one bin for two or fewer values', () => {
    expect(edgeValues(doaneEdges(Float64Array.of(1, 3)))).toEqual([1, 3]);
  });

  it("applies Doane's width: symmetric 1..8 gives 7/(1+log2 8) = 1.75, four bins", () => {
    expect(edgeValues(doaneEdges(Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8)))).toEqual([1, 2.75, 4.5, 6.25, 8]);
  });

  it.each(KERNELS.continuous.map((c) => [c.name, c] as const))('equals np.histogram_bin_edges(doane): %s', (_, c) => {
    const edges = doaneEdges(Float64Array.from(c.reference));
    expect(edgeValues(edges)).toEqual(c.doane_edges);
    expect(Array.from(histogram(c.chunk, edges).counts)).toEqual(c.chunk_counts);
  });
});

describe('withLeftoverBin', () => {
  it('adds the share of values outside the reference bins as an extra bin with reference share 0', () => {
    const { p, q } = withLeftoverBin([0.25, 0.25, 0.5], [2, 0, 0], 3);
    expect(Array.from(p)).toEqual([0.25, 0.25, 0.5, 0]);
    expect(q[0]).toBe(2 / 3);
    expect(q[3]).toBe(1 - 2 / 3);
  });

  it('adds nothing when the chunk is fully covered', () => {
    const { p, q } = withLeftoverBin([0.5, 0.5], [1, 1], 2);
    expect([p.length, q.length]).toEqual([2, 2]);
  });
});
