/**
 * Alert periods → Grafana annotations: one region per alerting chunk, from its start to its end, with a
 * text naming metric, column, value and threshold, and tags to filter on.
 */
import { createDataFrame, FieldType, type AnnotationEvent, type DataFrame } from '@grafana/data';
import type { AlertEntry } from './api';

/** Tags let a dashboard filter regions by model, family, metric and column. */
export function alertTags(model: string, alert: AlertEntry): string[] {
  const tags = [`model:${model}`, `family:${alert.family}`, `metric:${alert.metric}`];
  if (alert.column) {
    tags.push(`column:${alert.column}`);
  }
  if (alert.partial) {
    tags.push('open-chunk');
  }
  return tags;
}

export function alertTitle(alert: AlertEntry): string {
  return alert.column ? `${alert.metric} on ${alert.column}` : alert.metric;
}

/** The backend's text if it gave one; otherwise the same sentence built from the numbers. */
export function alertText(alert: AlertEntry): string {
  if (alert.text) {
    return alert.text;
  }
  const subject = alertTitle(alert);
  const value = alert.value ?? NaN;
  if (alert.upper_threshold !== null && value > alert.upper_threshold) {
    return `${subject} = ${value} > upper threshold ${alert.upper_threshold}`;
  }
  if (alert.lower_threshold !== null && value < alert.lower_threshold) {
    return `${subject} = ${value} < lower threshold ${alert.lower_threshold}`;
  }
  return `${subject} = ${value}`;
}

export function alertsToAnnotations(model: string, alerts: readonly AlertEntry[]): AnnotationEvent[] {
  return alerts.map((alert) => ({
    time: alert.time,
    timeEnd: alert.time_end,
    isRegion: alert.time_end > alert.time,
    title: alertTitle(alert),
    text: alertText(alert),
    tags: alertTags(model, alert),
  }));
}

/** The same events as a frame with Grafana's annotation field names (what `query()` returns). */
export function annotationsToFrame(events: readonly AnnotationEvent[], refId: string): DataFrame {
  return createDataFrame({
    refId,
    name: 'alerts',
    fields: [
      { name: 'time', type: FieldType.time, values: events.map((e) => e.time) },
      { name: 'timeEnd', type: FieldType.time, values: events.map((e) => e.timeEnd) },
      { name: 'isRegion', type: FieldType.boolean, values: events.map((e) => e.isRegion) },
      { name: 'title', type: FieldType.string, values: events.map((e) => e.title) },
      { name: 'text', type: FieldType.string, values: events.map((e) => e.text) },
      { name: 'tags', type: FieldType.other, values: events.map((e) => e.tags) },
    ],
  });
}

/** Frames returned for an annotation query → events (the `processEvents` hook). */
export function framesToAnnotations(frames: readonly DataFrame[]): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const frame of frames) {
    const col = (name: string) => frame.fields.find((f) => f.name === name)?.values ?? [];
    const [time, timeEnd, isRegion, title, text, tags] = ['time', 'timeEnd', 'isRegion', 'title', 'text', 'tags'].map(col);
    for (let i = 0; i < frame.length; i++) {
      events.push({ time: time[i], timeEnd: timeEnd[i], isRegion: isRegion[i], title: title[i], text: text[i], tags: tags[i] });
    }
  }
  return events;
}
