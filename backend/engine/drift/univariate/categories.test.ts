import { categorical, numeric } from '../../frame';
import { countCategories, fitCategories } from './categories';

describe('fitCategories', () => {
  it('keeps present categories in np.unique order with their counts, skipping missing values', () => {
    const ref = fitCategories(categorical('c', ['b', 'a', null, 'b', 'B']));
    expect(ref.table).toEqual({ type: 'text', levels: ['B', 'a', 'b'] });
    expect(Array.from(ref.counts.seen)).toEqual([1, 1, 2]);
    expect(ref.counts.total).toBe(4);
  });

  it('orders booleans False < True and numbers numerically', () => {
    expect(fitCategories(categorical('b', [true, false, true])).table).toEqual({ type: 'text', levels: ['False', 'True'] });
    expect(fitCategories(numeric('n', [10, 2, NaN, 2])).table).toEqual({ type: 'number', values: [2, 10] });
  });
});

describe('countCategories', () => {
  it('counts seen categories in reference order and each unseen category separately', () => {
    const ref = fitCategories(categorical('c', ['a', 'b']));
    const counts = countCategories(ref.table, categorical('c', ['b', 'z', 'y', 'z', null, 'b', 'b']));
    expect(Array.from(counts.seen)).toEqual([0, 3]);
    expect(counts.unseen.sort()).toEqual([1, 2]);
    expect(counts.total).toBe(6);
  });

  it('matches numbers by value: an int reference meets a float chunk column with NaN (1 == 1.0)', () => {
    const ref = fitCategories(numeric('n', [1, 2, 2], 'int'));
    const counts = countCategories(ref.table, numeric('n', [1.0, NaN, 3, 2.0]));
    expect(Array.from(counts.seen)).toEqual([1, 1]);
    expect(counts.unseen).toEqual([1]);
    expect(counts.total).toBe(3);
  });

  it('matches numbers written as text in a string chunk column; text that is no number is unseen', () => {
    const ref = fitCategories(numeric('n', [1, 2]));
    const counts = countCategories(ref.table, categorical('n', ['1', '2.0', 'x', null]));
    expect(Array.from(counts.seen)).toEqual([1, 1]);
    expect(counts.unseen).toEqual([1]);
  });

  it('never matches a number to a text category (pandas compares them as unequal)', () => {
    const ref = fitCategories(categorical('c', ['1', 'a']));
    const counts = countCategories(ref.table, numeric('c', [1, 1]));
    expect(Array.from(counts.seen)).toEqual([0, 0]);
    expect(counts.unseen).toEqual([2]);
  });
});
