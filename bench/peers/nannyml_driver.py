"""NannyML itself on `vigil run` configs (shared/specs/run-contract.md), the way a notebook user runs it:
pandas reads the CSV files, each calculator is built from the config's class and params, fitted on the
reference and run on the analysis. The results are written in the run contract's long format, so they
compare row for row with Vigil's.

    python nannyml_driver.py CONFIG.json [CONFIG.json ...] --out-dir DIR   # DIR/<config name>.nannyml.json
    python nannyml_driver.py CONFIG.json --out RESULTS.json                # one config

One process runs many configs (the differential tests start Python once for all their data sets). A
calculator that raises is reported as {"error": ...} for its id instead of rows, and the next one runs.
Prints one JSON line with timings (read_s, compute_s, per calculator) when --timing is given.
"""
import json
import math
import os
import resource
import sys
import time
import traceback
import warnings

warnings.filterwarnings('ignore')
os.environ.setdefault('NML_DISABLE_USAGE_LOGGING', '1')

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import nannyml as nml  # noqa: E402
from nannyml.calibration import NoopCalibrator  # noqa: E402
from nannyml.thresholds import ConstantThreshold, StandardDeviationThreshold  # noqa: E402

CLASSES = {
    'UnivariateDriftCalculator': nml.UnivariateDriftCalculator,
    'DataReconstructionDriftCalculator': nml.DataReconstructionDriftCalculator,
    'DomainClassifierCalculator': nml.DomainClassifierCalculator,
    'CBPE': nml.CBPE,
    'DLE': nml.DLE,
    'PerformanceCalculator': nml.PerformanceCalculator,
    'MissingValuesCalculator': nml.MissingValuesCalculator,
    'UnseenValuesCalculator': nml.UnseenValuesCalculator,
    'NumericalRangeCalculator': nml.NumericalRangeCalculator,
    'SummaryStatsAvgCalculator': nml.SummaryStatsAvgCalculator,
    'SummaryStatsSumCalculator': nml.SummaryStatsSumCalculator,
    'SummaryStatsStdCalculator': nml.SummaryStatsStdCalculator,
    'SummaryStatsMedianCalculator': nml.SummaryStatsMedianCalculator,
    'SummaryStatsRowCountCalculator': nml.SummaryStatsRowCountCalculator,
}

# The run contract's `metric` for the calculators whose NannyML columns are named after the data column.
COLUMN_METRIC = {
    'MissingValuesCalculator': 'missing_values',
    'UnseenValuesCalculator': 'unseen_values',
    'NumericalRangeCalculator': 'numerical_range',
    'SummaryStatsAvgCalculator': 'avg',
    'SummaryStatsSumCalculator': 'sum',
    'SummaryStatsStdCalculator': 'std',
    'SummaryStatsMedianCalculator': 'median',
}
ESTIMATORS = ('CBPE', 'DLE')
FIELDS = ('value', 'upper_threshold', 'lower_threshold', 'alert', 'sampling_error', 'upper_confidence_boundary',
          'lower_confidence_boundary', 'realized', 'targets_missing_rate')


def threshold(spec):
    if spec is None:
        return None
    kind = spec.get('type')
    if kind == 'constant':
        return ConstantThreshold(lower=spec.get('lower'), upper=spec.get('upper'))
    if kind == 'standard_deviation':
        return StandardDeviationThreshold(std_lower_multiplier=spec.get('std_lower_multiplier'),
                                          std_upper_multiplier=spec.get('std_upper_multiplier'))
    raise ValueError(f'unknown threshold type {kind!r}')


def build(cls_name, params):
    params = dict(params)
    if 'thresholds' in params:
        params['thresholds'] = {k: threshold(v) for k, v in params['thresholds'].items()}
    if 'threshold' in params:
        params['threshold'] = threshold(params['threshold'])
    if 'business_value_matrix' in params:
        params['business_value_matrix'] = np.asarray(params['business_value_matrix'])
    return CLASSES[cls_name](**params)


def resolve(config_path, p):
    return p if os.path.isabs(p) else os.path.join(os.path.dirname(os.path.abspath(config_path)), p)


def timestamp_columns(config):
    return {c['params']['timestamp_column_name'] for c in config['calculators'] if c.get('params', {}).get('timestamp_column_name')}


def read(config_path, config):
    """pandas as a user would: read_csv, to_datetime on the timestamp columns, left join of the targets."""
    stamps = timestamp_columns(config)

    def load(p):
        df = pd.read_csv(resolve(config_path, p))
        for c in stamps & set(df.columns):
            df[c] = pd.to_datetime(df[c], format='ISO8601')
        return df

    reference = load(config['reference'])
    analysis = load(config['analysis'])
    if config.get('analysis_targets'):
        targets = load(config['analysis_targets'])
        join_on = config.get('join_on') or next(c for c in analysis.columns if c in targets.columns)
        analysis = analysis.merge(targets, on=join_on, how='left')
    return reference, analysis


def iso(ts):
    """Run-contract date: ISO 8601 UTC, milliseconds truncated (naive timestamps are UTC)."""
    if ts is None or (not isinstance(ts, pd.Timestamp) and pd.isna(ts)) or ts is pd.NaT:
        return None
    ts = pd.Timestamp(ts)
    if ts.tzinfo is not None:
        ts = ts.tz_convert('UTC').tz_localize(None)
    return ts.strftime('%Y-%m-%dT%H:%M:%S.') + f'{ts.microsecond // 1000:03d}Z'


def plain(v):
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def long_rows(cls_name, calc_id, df):
    """NannyML's wide result frame → run-contract rows, series by series (reference rows first)."""
    chunk_cols = [c for c in df.columns if c[0] == 'chunk']
    chunk_field = {c[-1]: c for c in chunk_cols}
    series = {}
    for col in df.columns:
        if col[0] == 'chunk':
            continue
        if len(col) == 3:
            column, metric, field = col
        else:
            name, field = col
            if cls_name in COLUMN_METRIC:
                column, metric = name, COLUMN_METRIC[cls_name]
            else:
                column, metric = None, name
        series.setdefault((column, metric), {})[field] = col
    rows = []
    for (column, metric), fields in series.items():
        for period in ('reference', 'analysis'):
            part = df[df[chunk_field['period']] == period]
            for _, r in part.iterrows():
                row = {
                    'calculator': cls_name, 'id': calc_id, 'column': column, 'metric': metric, 'period': period,
                    'chunk': {
                        'key': str(r[chunk_field['key']]),
                        'index': int(r[chunk_field['chunk_index']]),
                        'start_index': int(r[chunk_field['start_index']]),
                        'end_index': int(r[chunk_field['end_index']]),
                        'start_date': iso(r[chunk_field['start_date']]),
                        'end_date': iso(r[chunk_field['end_date']]),
                    },
                }
                for f in FIELDS:
                    row[f] = plain(r[fields[f]]) if f in fields else None
                if 'targets_missing_rate' in chunk_field:  # PerformanceCalculator: a chunk-level column
                    row['targets_missing_rate'] = plain(r[chunk_field['targets_missing_rate']])
                rows.append(row)
    return rows


def calibration_decisions(cbpe):
    """needs_calibration's decision per class (sorted class order; binary: one), from the fitted CBPE."""
    if getattr(cbpe, '_calibrators', None):  # multiclass: one per class (an empty dict for binary)
        return [not isinstance(cbpe._calibrators[k], NoopCalibrator) for k in sorted(cbpe._calibrators)]
    return [bool(cbpe.needs_calibration)]


def run_config(config_path):
    with open(config_path) as fh:
        config = json.load(fh)
    t0 = time.perf_counter()
    reference, analysis = read(config_path, config)
    read_s = time.perf_counter() - t0
    results, errors, per_calc, calibrated = [], {}, {}, {}
    for c in config['calculators']:
        cls_name, calc_id = c['class'], c.get('id', c['class'])
        t = time.perf_counter()
        try:
            calc = build(cls_name, c.get('params', {}))
            calc.fit(reference)
            result = calc.estimate(analysis) if cls_name in ESTIMATORS else calc.calculate(analysis)
            results.extend(long_rows(cls_name, calc_id, result.to_df()))
            if cls_name == 'CBPE':
                calibrated[calc_id] = calibration_decisions(calc)
        except Exception as e:  # reported per calculator; the comparison decides whether that is expected
            errors[calc_id] = f'{type(e).__name__}: {e}'
            if os.environ.get('VIGIL_PEERS_TRACE'):
                traceback.print_exc()
        per_calc[calc_id] = time.perf_counter() - t
    return {'results': results, 'errors': errors, 'calibrated': calibrated}, read_s, per_calc


def main(argv):
    out, out_dir, timing, configs = None, None, False, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '--out':
            out = argv[i + 1]
            i += 1
        elif a == '--out-dir':
            out_dir = argv[i + 1]
            i += 1
        elif a == '--timing':
            timing = True
        else:
            configs.append(a)
        i += 1
    if not configs or (out and len(configs) > 1) or (out is None and out_dir is None):
        print('usage: nannyml_driver.py CONFIG.json --out RESULTS.json | CONFIG.json ... --out-dir DIR [--timing]', file=sys.stderr)
        return 2
    # LightGBM prints its progress on stdout (fd 1); keep stdout for the timing line.
    stdout = os.fdopen(os.dup(1), 'w')
    os.dup2(2, 1)
    read_total, compute_total, per_calc = 0.0, 0.0, {}
    for path in configs:
        t = time.perf_counter()
        doc, read_s, calc_s = run_config(path)
        compute_total += time.perf_counter() - t - read_s
        read_total += read_s
        per_calc.update(calc_s)
        slowest = sorted(calc_s.items(), key=lambda kv: -kv[1])[:3]
        print(f'nannyml_driver: {os.path.basename(path)} {time.perf_counter() - t:.1f} s (slowest: '
              + ', '.join(f'{k} {v:.1f} s' for k, v in slowest) + ')', file=sys.stderr)
        target = out or os.path.join(out_dir, os.path.basename(path).rsplit('.', 1)[0] + '.nannyml.json')
        with open(target, 'w') as fh:
            json.dump(doc, fh)
    if timing:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({'read_s': read_total, 'compute_s': compute_total, 'per_calculator_s': per_calc,
                          'max_rss_bytes': ru.ru_maxrss * 1024, 'cpu_s': ru.ru_utime + ru.ru_stime}), file=stdout)
    stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
