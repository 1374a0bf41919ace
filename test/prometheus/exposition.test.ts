/**
 * /metrics in the text exposition format, checked by the real `promtool check metrics` (format and
 * Prometheus's naming lints) and parsed back to the same values. The same check runs against the real
 * server in server-contract.test.ts.
 */
import express from 'express';
import { metricsHandler, renderSeries } from '../../backend/api/metrics';
import { seriesMetadata, seriesOfRows } from '../../backend/api/prometheus/series';
import { initModelCounters, removeModelSeries, renderSelfMetrics, selfMetrics } from '../../backend/api/prometheus/self-metrics';
import { MemorySeriesSource } from '../../backend/api/prometheus/source';
import { promtool, serveApp } from './prom-helpers';

const DAY = 86_400_000;

function rows() {
  const base = {
    calculator: 'UnivariateDriftCalculator',
    id: 'UnivariateDriftCalculator',
    period: 'analysis' as const,
    lower_threshold: null,
    upper_confidence_boundary: null,
    lower_confidence_boundary: null,
    sampling_error: null,
    realized: null,
  };
  return [0, 1, 2].flatMap((d) => [
    // A column name needing every escape of the format: backslash, double quote, newline.
    { ...base, column: 'odd "col"\\name\nx', metric: 'jensen_shannon', chunk: { start_date: d * DAY, end_date: (d + 1) * DAY - 1 }, value: 0.1 * d, upper_threshold: 0.15, alert: d === 2 },
    { ...base, calculator: 'OutlierDetectionCalculator', id: 'OutlierDetectionCalculator', column: null, metric: 'outlier_rate', chunk: { start_date: d * DAY, end_date: (d + 1) * DAY - 1 }, value: d === 1 ? NaN : 0.01 * d, upper_threshold: null, alert: null },
  ]);
}

describe('exposition format', () => {
  it('passes promtool check metrics, with escaping and self metrics', async () => {
    selfMetrics.ingestedRows.inc({ model: 'demo' }, 5000);
    selfMetrics.ingestBatches.inc({ model: 'demo', outcome: 'accepted' });
    selfMetrics.recomputeDuration.observe({ model: 'demo' }, 0.042);
    selfMetrics.recomputeQueueDepth.set(2);
    selfMetrics.errors.inc({ where: 'recompute' });
    const source = new MemorySeriesSource(seriesOfRows('demo', rows(), 7 * DAY));
    const app = express();
    app.get('/metrics', metricsHandler({ source: () => source, metadata: seriesMetadata }));
    const server = await serveApp(app);
    try {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      const check = await promtool(['check', 'metrics'], text);
      expect({ code: check.code, out: check.stdout + check.stderr }).toEqual({ code: 0, out: '' });
      // The latest chunk's values, escaped.
      expect(text).toContain('vigil_univariate_drift{column="odd \\"col\\"\\\\name\\nx",method="jensen_shannon",model="demo"} 0.2\n');
      expect(text).toContain('vigil_univariate_drift_alert{column="odd \\"col\\"\\\\name\\nx",method="jensen_shannon",model="demo"} 1\n');
      expect(text).toContain('vigil_outlier_rate{metric="outlier_rate",model="demo"} 0.02\n');
      expect(text).toContain('# TYPE vigil_univariate_drift gauge\n');
      expect(text).toContain('vigil_ingested_rows_total{model="demo"} 5000\n');
      expect(text).toContain('vigil_recompute_duration_seconds_bucket{le="0.05",model="demo"} 1\n');
      expect(text).toContain('vigil_recompute_queue_depth 2\n');
      // prom-client's default process and Node.js metrics, before the monitoring series.
      expect(text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
      expect(text).toMatch(/^nodejs_heap_size_used_bytes [1-9]\d*$/m);
      expect(text.indexOf('# TYPE process_resident_memory_bytes')).toBeLessThan(text.indexOf('# TYPE vigil_univariate_drift gauge'));
      // Every metric name has exactly one TYPE line across both parts.
      const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
      expect(new Set(types.map((l) => l.split(' ')[2])).size).toBe(types.length);
    } finally {
      await server.close();
    }
  });

  it('is flagged by promtool when a name breaks the conventions (the check is not vacuous)', async () => {
    const bad = '# HELP vigil_bad_count a gauge named like a counter part\n# TYPE vigil_bad_count gauge\nvigil_bad_count 1\n';
    const check = await promtool(['check', 'metrics'], (await renderSelfMetrics()) + bad);
    expect(check.code).not.toBe(0);
    expect(check.stdout + check.stderr).toContain('vigil_bad_count');
  });

  it('writes one block per metric name even when series arrive interleaved', () => {
    const text = renderSeries(new MemorySeriesSource(seriesOfRows('a', rows(), DAY)).select([]), seriesMetadata);
    const typeLines = text.split('\n').filter((l) => l.startsWith('# TYPE'));
    expect(new Set(typeLines).size).toBe(typeLines.length);
  });

  it('initialises every counter of a model at load, at its persisted error totals, and drops them on delete', async () => {
    initModelCounters('fresh', { fit: 0, recompute: 3 });
    selfMetrics.errors.inc({ model: 'fresh', where: 'recompute' });
    initModelCounters('fresh', { fit: 0, recompute: 2 }); // a lower persisted total never lowers a counter
    let text = await renderSelfMetrics();
    for (const line of [
      'vigil_errors_total{model="fresh",where="fit"} 0',
      'vigil_errors_total{model="fresh",where="recompute"} 4',
      'vigil_errors_total{where="metrics"} 0',
      'vigil_ingested_rows_total{model="fresh"} 0',
      'vigil_ingested_targets_total{model="fresh"} 0',
      'vigil_ingest_batches_total{model="fresh",outcome="accepted"} 0',
      'vigil_ingest_batches_total{model="fresh",outcome="rejected"} 0',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    removeModelSeries('fresh');
    text = await renderSelfMetrics();
    expect(text).not.toContain('model="fresh"');
    expect(selfMetrics.errors.get({ model: 'fresh', where: 'recompute' })).toBe(0);
  });
});
