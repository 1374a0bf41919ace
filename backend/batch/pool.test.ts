import { runThreads } from './pool';
import { reviveRunError as reviveError, serializeError } from './errors';
import { ConfigError, DataError } from '../engine/calculator';

describe('runThreads', () => {
  it('takes VIGIL_THREADS as given and rejects what is not a positive whole number', () => {
    expect(runThreads({ VIGIL_THREADS: '3' }, 100)).toBe(3);
    expect(runThreads({ VIGIL_THREADS: ' 1 ' }, 0)).toBe(1);
    for (const bad of ['0', '-2', '1.5', 'many']) expect(() => runThreads({ VIGIL_THREADS: bad }, 0)).toThrow(/VIGIL_THREADS/);
  });

  it('uses one thread per CPU without VIGIL_THREADS, at most four', () => {
    expect(runThreads({}, 2)).toBe(2);
    expect(runThreads({}, 1)).toBe(1);
    expect(runThreads({ VIGIL_THREADS: '' }, 16)).toBe(4);
    expect(runThreads({ VIGIL_THREADS: '6' }, 2)).toBe(6);
  });
});

describe('errors across threads', () => {
  it('rebuilds the class, message and fields', () => {
    const c = reviveError(serializeError(new ConfigError('calculators[2].params', 'bad')));
    expect(c).toBeInstanceOf(ConfigError);
    expect(c.message).toBe('calculators[2].params: bad');
    expect((c as ConfigError).where).toBe('calculators[2].params');
    const d = reviveError(serializeError(new DataError('analysis', "column 'x' not found")));
    expect(d).toBeInstanceOf(DataError);
    expect((d as DataError).dataset).toBe('analysis');
    expect(d.message).toBe("column 'x' not found");
    const other = reviveError(serializeError(new RangeError('boom')));
    expect(other).not.toBeInstanceOf(DataError);
    expect(other.message).toBe('boom');
  });
});
