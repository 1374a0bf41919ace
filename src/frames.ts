/**
 * Frames from `POST /api/query` → Grafana DataFrames: field types, units from the catalog, display names
 * and styles a panel needs (thresholds dashed, the alert flag out of the graph but in the tooltip, the
 * open chunk's value as a dashed segment with points).
 */
import { createDataFrame, FieldType, type DataFrame, type Field, type FieldConfig } from '@grafana/data';
import { metricDef, RESULT_FIELDS, type FamilyId, type ResultField } from '../backend/engine/catalog';
import type { FieldJSON, FieldTypeJSON, FrameJSON } from './api';

const FIELD_TYPES: Record<FieldTypeJSON, FieldType> = {
  time: FieldType.time,
  number: FieldType.number,
  boolean: FieldType.boolean,
  string: FieldType.string,
};

/** How a result field reads in a legend: `jensen_shannon car_value · upper threshold`. */
export const RESULT_FIELD_LABELS: Record<ResultField, string> = {
  value: 'value',
  upper_threshold: 'upper threshold',
  lower_threshold: 'lower threshold',
  alert: 'alert',
  upper_confidence_boundary: 'upper confidence bound',
  lower_confidence_boundary: 'lower confidence bound',
  sampling_error: 'sampling error',
  realized: 'realized',
};

/** The field that draws an open (still filling) chunk's value; docs/grafana-plugin.md. */
export const OPEN_VALUE_FIELD = 'value_open';

const FIELD_LABELS: Record<string, string> = { ...RESULT_FIELD_LABELS, [OPEN_VALUE_FIELD]: 'open chunk (filling)' };

/** Result fields measured in the metric's own unit (everything numeric but the alert flag). */
const MEASURED_FIELDS = new Set<string>([...RESULT_FIELDS.filter((f) => f !== 'alert'), OPEN_VALUE_FIELD]);

const THRESHOLD_FIELDS = new Set<string>(['upper_threshold', 'lower_threshold']);
const CONFIDENCE_FIELDS = new Set<string>(['upper_confidence_boundary', 'lower_confidence_boundary']);
/** Booleans a time-series panel would draw as 0/1 lines: kept for tooltips and tables, not drawn. */
const FLAG_FIELDS = new Set<string>(['alert', 'partial']);

function fieldType(type: FieldTypeJSON, name: string): FieldType {
  const mapped = FIELD_TYPES[type];
  if (!mapped) {
    throw new Error(`field '${name}' has unknown type '${type}'`);
  }
  return mapped;
}

/** The unit for a frame's measured fields: what the backend says, else the catalog's for the metric. */
function frameUnit(frame: FrameJSON): string | undefined {
  const fromBackend = frame.fields.find((f) => f.name === 'value')?.config?.unit;
  if (fromBackend) {
    return fromBackend;
  }
  const custom = frame.meta?.custom ?? {};
  const family = custom.family as FamilyId | undefined;
  let metric = custom.metric as string | undefined;
  if (!metric) {
    // table frames carry the metric per row; one unit only if every row has the same metric
    const metrics = new Set(frame.fields.find((f) => f.name === 'metric')?.values as string[] | undefined);
    metric = metrics.size === 1 ? [...metrics][0] : undefined;
  }
  return family && metric ? metricDef(family, metric)?.unit : undefined;
}

function fieldConfig(field: FieldJSON, frameName: string | undefined, unit: string | undefined, isSeries: boolean): FieldConfig {
  const config: FieldConfig = { ...(field.config ?? {}) };
  if (MEASURED_FIELDS.has(field.name) && unit && !config.unit) {
    config.unit = unit;
  }
  if (isSeries && frameName && (MEASURED_FIELDS.has(field.name) || field.name === 'alert') && !config.displayName) {
    config.displayName = field.name === 'value' ? frameName : `${frameName} · ${FIELD_LABELS[field.name]}`;
  }
  if (field.name === OPEN_VALUE_FIELD) {
    config.custom = { ...config.custom, lineStyle: { fill: 'dash', dash: [4, 4] }, showPoints: 'always', pointSize: 7, fillOpacity: 0 };
  } else if (THRESHOLD_FIELDS.has(field.name)) {
    config.custom = { ...config.custom, lineStyle: { fill: 'dash', dash: [10, 10] }, fillOpacity: 0 };
  } else if (CONFIDENCE_FIELDS.has(field.name)) {
    config.custom = { ...config.custom, lineStyle: { fill: 'dot', dash: [0, 10] }, fillOpacity: 0 };
  } else if (FLAG_FIELDS.has(field.name)) {
    config.custom = { ...config.custom, hideFrom: { viz: true, legend: true, tooltip: false } };
  }
  return config;
}

/**
 * A series frame whose last chunk is still open (`partial`): the open chunks' values move from `value`
 * to a field of their own, drawn dashed with points from the last closed chunk on, so the solid line
 * ends at the last closed chunk and a panel shows at a glance which point is still filling.
 */
function splitOpenChunks(frame: FrameJSON): FieldJSON[] {
  const partial = frame.fields.find((f) => f.name === 'partial')?.values;
  const valueAt = frame.fields.findIndex((f) => f.name === 'value');
  if (!partial || valueAt < 0 || !partial.some((p) => p === true)) {
    return frame.fields;
  }
  const value = frame.fields[valueAt];
  const closed = value.values.map((v, i) => (partial[i] === true ? null : v));
  // The last closed point before an open one starts the dashed segment.
  const open = value.values.map((v, i) => (partial[i] === true || partial[i + 1] === true ? v : null));
  const fields = [...frame.fields];
  fields.splice(valueAt, 1, { ...value, values: closed }, { name: OPEN_VALUE_FIELD, type: 'number', labels: value.labels, values: open });
  return fields;
}

export function toDataFrame(frame: FrameJSON, refId: string): DataFrame {
  const unit = frameUnit(frame);
  const isSeries = frame.meta?.custom?.metric !== undefined;
  const jsonFields = isSeries ? splitOpenChunks(frame) : frame.fields;
  const fields: Array<Partial<Field>> = jsonFields.map((field) => ({
    name: field.name,
    type: fieldType(field.type, field.name),
    values: field.values,
    labels: field.labels,
    config: fieldConfig(field, frame.name, unit, isSeries),
  }));
  return createDataFrame({ name: frame.name, refId: frame.refId ?? refId, meta: frame.meta, fields });
}
