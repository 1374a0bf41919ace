import { ConfigError } from '../calculator';
import { categorical, makeFrame, numeric } from '../frame';
import { bindEncoder, fitEncoder, parseCategoricalImputer, parseContinuousImputer } from './encoding';

const MEAN = { strategy: 'mean' as const };
const MODE = { strategy: 'most_frequent' as const };

function encode(reference: ReturnType<typeof makeFrame>, frame: ReturnType<typeof makeFrame>, name: string, cont = MEAN as any, cat = MODE as any) {
  const out = new Float64Array(frame.length);
  bindEncoder(fitEncoder(reference, name, cont, cat), frame).write(0, frame.length, out, 0);
  return Array.from(out);
}

describe('frequency encoding (CountEncoder normalize=True) with imputation', () => {
  const ref = makeFrame([
    categorical('c', ['a', 'b', 'a', null, 'b', 'c']),
    numeric('x', [1, NaN, 3, 5, NaN, 3]),
  ]);

  it('missing categoricals become the mode (a tie goes to the smallest value) before counting', () => {
    // a and b tie with 2 → 'a'; the missing row counts as 'a': a 3/6, b 2/6, c 1/6
    const e = fitEncoder(ref, 'c', MEAN, MODE);
    expect(e).toMatchObject({ fill: 'a', levels: ['a', 'b', 'c'] });
    expect(encode(ref, ref, 'c')).toEqual([0.5, 2 / 6, 0.5, 0.5, 2 / 6, 1 / 6]);
  });

  it('a category unseen in the reference encodes as 0', () => {
    const chunk = makeFrame([categorical('c', ['z', 'c', null]), numeric('x', [0, 0, 0])]);
    expect(encode(ref, chunk, 'c')).toEqual([0, 1 / 6, 0.5]);
  });

  it('continuous missing values take the reference mean / median / mode / constant', () => {
    const chunk = makeFrame([categorical('c', ['a']), numeric('x', [NaN])]);
    expect(encode(ref, chunk, 'x')).toEqual([3]); // mean of 1, 3, 5, 3
    expect(encode(ref, chunk, 'x', { strategy: 'median' })).toEqual([3]);
    expect(encode(ref, chunk, 'x', { strategy: 'most_frequent' })).toEqual([3]);
    expect(encode(ref, chunk, 'x', { strategy: 'constant', fillValue: -1 })).toEqual([-1]);
  });

  it('a constant categorical fill is a category of its own', () => {
    const e = fitEncoder(ref, 'c', MEAN, { strategy: 'constant', fillValue: 'missing_value' });
    expect(e.kind === 'categorical' && e.levels).toEqual(['a', 'b', 'c', 'missing_value']);
    expect(encode(ref, ref, 'c', MEAN, { strategy: 'constant', fillValue: 'missing_value' })[3]).toBeCloseTo(1 / 6, 15);
  });

  it('booleans are categories', () => {
    const f = makeFrame([categorical('b', [true, false, true, true])]);
    expect(encode(f, f, 'b')).toEqual([0.75, 0.25, 0.75, 0.75]);
  });
});

describe('imputer parameters', () => {
  it('accept a strategy name or {strategy, fill_value}', () => {
    expect(parseContinuousImputer(undefined, 'p')).toEqual({ strategy: 'mean' });
    expect(parseContinuousImputer('median', 'p')).toEqual({ strategy: 'median' });
    expect(parseContinuousImputer({ strategy: 'constant', fill_value: 0 }, 'p')).toEqual({ strategy: 'constant', fillValue: 0 });
    expect(parseCategoricalImputer({ strategy: 'constant' }, 'p')).toEqual({ strategy: 'constant', fillValue: 'missing_value' });
  });
  it('reject what NannyML rejects, naming the key', () => {
    expect(() => parseCategoricalImputer('mean', 'p.imputer_categorical')).toThrow(ConfigError);
    expect(() => parseCategoricalImputer('mean', 'p.imputer_categorical')).toThrow(/p\.imputer_categorical: unknown imputer strategy "mean"/);
    expect(() => parseContinuousImputer({ strategy: 'constant' }, 'p.i')).toThrow(/p\.i\.fill_value/);
    expect(() => parseContinuousImputer({ strategy: 'mean', fill: 1 }, 'p.i')).toThrow(/p\.i\.fill: unknown key/);
  });
});
