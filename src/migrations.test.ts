import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_FIELDS, type VigilQuery } from './types';
import { migrateQuery, needsMigration, type StoredQuery } from './migrations';
import { PLUGIN_VERSION } from './version';

const defaults = { queryType: 'series', metrics: [], fields: [...DEFAULT_FIELDS], period: 'analysis', format: 'time_series', pluginVersion: PLUGIN_VERSION };

/** The Vigil targets of the shipped dashboards: queries as the unversioned plugin saved them. */
function dashboardTargets(): StoredQuery[] {
  const targets: StoredQuery[] = [];
  const walk = (panel: { targets?: Array<StoredQuery & { datasource?: { type?: string } }>; panels?: unknown[] }) => {
    for (const t of panel.targets ?? []) if (t.datasource?.type === 'vigil-mlmonitor-datasource') targets.push(t);
    for (const p of panel.panels ?? []) walk(p as typeof panel);
  };
  for (const file of fs.readdirSync(path.join(__dirname, '../dashboards')).filter((f) => f.endsWith('.json'))) {
    walk(JSON.parse(fs.readFileSync(path.join(__dirname, '../dashboards', file), 'utf8')));
  }
  return targets;
}

describe('migrateQuery: every shape saved before pluginVersion', () => {
  it("a new panel's empty query: the defaults, the default model, stamped", () => {
    expect(migrateQuery({ refId: 'A' }, 'demo')).toEqual({ refId: 'A', model: 'demo', family: 'univariate_drift', columns: [], ...defaults });
  });

  it('a metric query without queryType and with empty fields (the editor saved `fields: []` for the defaults)', () => {
    const old = { refId: 'A', model: 'm', family: 'data_quality', metrics: ['missing_values'], columns: ['age'], fields: [] } as StoredQuery;
    expect(migrateQuery(old)).toEqual({ ...defaults, refId: 'A', model: 'm', family: 'data_quality', metrics: ['missing_values'], columns: ['age'] });
  });

  it('a model-level family with columns left over from a family switch loses them', () => {
    const old = { refId: 'A', model: 'm', family: 'estimated_performance', metrics: ['roc_auc'], columns: ['age'], period: 'both' } as StoredQuery;
    const q = migrateQuery(old);
    expect('columns' in q).toBe(false);
    expect(q).toEqual({ ...defaults, refId: 'A', model: 'm', family: 'estimated_performance', metrics: ['roc_auc'], period: 'both' });
  });

  it('hand-edited values the server rejects (unknown field, period, format) fall back to the defaults; known fields are kept', () => {
    const old = { refId: 'A', model: 'm', family: 'outliers', fields: ['value', 'confidence', 'alert'], period: 'last_week', format: 'heatmap' } as unknown as StoredQuery;
    expect(migrateQuery(old)).toMatchObject({ fields: ['value', 'alert'], period: 'analysis', format: 'time_series' });
  });

  it('an annotation query keeps its model and family and is stamped', () => {
    expect(migrateQuery({ refId: 'Anno', queryType: 'alerts', model: 'm', family: 'outliers' } as StoredQuery)).toEqual({
      refId: 'Anno',
      queryType: 'alerts',
      model: 'm',
      family: 'outliers',
      pluginVersion: PLUGIN_VERSION,
    });
  });

  it('the queries of the shipped dashboards (saved unversioned) keep everything they say', () => {
    const targets = dashboardTargets();
    expect(targets.length).toBeGreaterThan(5);
    for (const t of targets) {
      expect(needsMigration(t)).toBe(true);
      const q = migrateQuery(t) as VigilQuery & Record<string, unknown>;
      expect(q.pluginVersion).toBe(PLUGIN_VERSION);
      for (const [key, value] of Object.entries(t)) {
        if (key === 'columns' && !('columns' in q)) continue;
        expect([key, q[key]]).toEqual([key, value]);
      }
      expect(needsMigration(q as StoredQuery)).toBe(false);
    }
  });
});

describe('migrateQuery on versioned queries', () => {
  it('is idempotent on a current query', () => {
    const q = migrateQuery({ refId: 'A', model: 'm' });
    expect(migrateQuery(q as StoredQuery)).toEqual(q);
  });

  it("keeps a newer plugin's query (and its version) instead of rewriting what it cannot know", () => {
    const future = { refId: 'A', model: 'm', family: 'outliers', pluginVersion: '9.0.0', fields: ['value'], newOption: 3 } as unknown as StoredQuery;
    expect(migrateQuery(future)).toMatchObject({ pluginVersion: '9.0.0', newOption: 3, fields: ['value'] });
    expect(needsMigration(future)).toBe(false);
  });
});
