import type { AlertEntry } from './api';
import { alertsToAnnotations, alertText, annotationsToFrame, framesToAnnotations } from './annotations';

const alert = (over: Partial<AlertEntry> = {}): AlertEntry => ({
  time: 1719792000000,
  time_end: 1720396799999,
  family: 'univariate_drift',
  calculator_id: 'u1',
  metric: 'jensen_shannon',
  column: 'car_value',
  value: 0.12,
  upper_threshold: 0.04,
  lower_threshold: 0,
  chunk: '[0:4999]',
  period: 'analysis',
  text: 'jensen_shannon on car_value = 0.12 > upper threshold 0.04',
  ...over,
});

describe('alert annotations', () => {
  it('makes one region per alerting chunk, spanning the chunk, with the backend’s text and tags', () => {
    const events = alertsToAnnotations('demo', [alert(), alert({ time: 1720396800000, time_end: 1721001599999, column: 'salary_range' })]);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({
      time: 1719792000000,
      timeEnd: 1720396799999,
      isRegion: true,
      title: 'jensen_shannon on car_value',
      text: 'jensen_shannon on car_value = 0.12 > upper threshold 0.04',
      tags: ['model:demo', 'family:univariate_drift', 'metric:jensen_shannon', 'column:car_value'],
    });
    expect(events[1].tags).toContain('column:salary_range');
  });

  it('writes the text itself when the backend sends none, naming the threshold crossed', () => {
    expect(alertText(alert({ text: '' }))).toBe('jensen_shannon on car_value = 0.12 > upper threshold 0.04');
    expect(alertText(alert({ text: '', metric: 'roc_auc', column: null, value: 0.61, upper_threshold: null, lower_threshold: 0.7 }))).toBe(
      'roc_auc = 0.61 < lower threshold 0.7'
    );
  });

  it('tags model-level alerts without a column', () => {
    const [event] = alertsToAnnotations('demo', [alert({ family: 'outliers', metric: 'outlier_rate', column: null })]);
    expect(event.tags).toEqual(['model:demo', 'family:outliers', 'metric:outlier_rate']);
    expect(event.title).toBe('outlier_rate');
  });

  it('round-trips through the annotation frame the query returns', () => {
    const events = alertsToAnnotations('demo', [alert(), alert({ metric: 'hellinger' })]);
    const frame = annotationsToFrame(events, 'Anno');
    expect(frame.refId).toBe('Anno');
    expect(frame.fields.map((f) => f.name)).toEqual(['time', 'timeEnd', 'isRegion', 'title', 'text', 'tags']);
    expect(framesToAnnotations([frame])).toEqual(events);
  });
});
