"""Evidently 0.7 on the drift work of `vigil run` configs: per chunk, per column, Evidently's own stattest
objects (`evidently.legacy.calculations.stattests`, what its DataDriftPreset runs per column) for the
drift methods that both tools name alike. Two uses:

    python evidently_driver.py CONFIG.json --timing
        The bench: pandas reads the CSV files, the analysis is sorted by the timestamp and cut into the
        config's chunk_size chunks, and every UnivariateDriftCalculator column runs Evidently's tests
        against the whole reference, per chunk. Prints one JSON line of timings.

    python evidently_driver.py --compare JOB.json --out OUT.json
        The differential test (test/peers/evidently.test.ts): for each set, column and chunk (row ranges
        of the sorted analysis), the numbers Vigil's methods must reproduce: scipy's ks_2samp statistic,
        which Evidently's `ks` test takes its p-value from, and Evidently's `wasserstein` (W1 / std(ref)).

Same names, other definitions (docs/nannyml-differences.md, "Evidently"): Evidently's jensenshannon and
hellinger bin reference and current together (30 equal-width bins, zeros → 0.0001, natural log for JS),
its chisquare is scipy's goodness-of-fit `chisquare` p-value; Vigil computes NannyML's versions (Doane
bins of the reference, base 2; chi2 contingency statistic). They are timed here, not compared.
"""
import json
import os
import resource
import sys
import time
import warnings

warnings.filterwarnings('ignore')

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402
from evidently.legacy.calculations.stattests import chisquare_stattest, hellinger_distance, jensenshannon, ks_stattest  # noqa: E402
from evidently.legacy.calculations.stattests import wasserstein_distance_norm  # noqa: E402
from evidently.legacy.core import ColumnType  # noqa: E402

CONTINUOUS = {
    'kolmogorov_smirnov': ks_stattest.ks_stat_test,
    'jensen_shannon': jensenshannon.jensenshannon_stat_test,
    'wasserstein': wasserstein_distance_norm.wasserstein_stat_test,
    'hellinger': hellinger_distance.hellinger_stat_test,
}
CATEGORICAL = {
    'chi2': chisquare_stattest.chi_stat_test,
    'jensen_shannon': jensenshannon.jensenshannon_stat_test,
    'hellinger': hellinger_distance.hellinger_stat_test,
}


def resolve(config_path, p):
    return p if os.path.isabs(p) else os.path.join(os.path.dirname(os.path.abspath(config_path)), p)


def read_sorted(path, timestamp):
    df = pd.read_csv(path)
    if timestamp:
        df[timestamp] = pd.to_datetime(df[timestamp], format='ISO8601')
        df = df.sort_values(timestamp, kind='stable').reset_index(drop=True)
    return df


def bench(config_path):
    with open(config_path) as fh:
        config = json.load(fh)
    t0 = time.perf_counter()
    drift = [c for c in config['calculators'] if c['class'] == 'UnivariateDriftCalculator']
    stamp = drift[0]['params'].get('timestamp_column_name') if drift else None
    reference = read_sorted(resolve(config_path, config['reference']), stamp)
    analysis = read_sorted(resolve(config_path, config['analysis']), stamp)
    read_s = time.perf_counter() - t0
    tests = 0
    for calc in drift:
        p = calc['params']
        size = p['chunk_size']
        chunks = [analysis.iloc[i:i + size] for i in range(0, len(analysis), size)]
        for column in p['column_names']:
            numeric = pd.api.types.is_numeric_dtype(reference[column]) and column not in p.get('treat_as_categorical', [])
            methods = CONTINUOUS if numeric else CATEGORICAL
            wanted = p.get('continuous_methods' if numeric else 'categorical_methods', ['jensen_shannon'])
            kind = ColumnType.Numerical if numeric else ColumnType.Categorical
            ref = reference[column].dropna()
            for chunk in chunks:
                cur = chunk[column].dropna()
                for m in wanted:
                    if m in methods:
                        methods[m](ref, cur, kind, None)
                        tests += 1
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({'read_s': read_s, 'compute_s': time.perf_counter() - t0 - read_s, 'tests': tests,
                      'max_rss_bytes': ru.ru_maxrss * 1024, 'cpu_s': ru.ru_utime + ru.ru_stime}))


def compare(job_path, out_path):
    with open(job_path) as fh:
        job = json.load(fh)
    out = []
    for s in job['sets']:
        reference = read_sorted(s['reference'], s['timestamp'])
        analysis = read_sorted(s['analysis'], s['timestamp'])
        values = {}
        for column in s['columns']:
            ref = reference[column].dropna().astype(float)
            for start, end in s['chunks']:
                cur = analysis[column].iloc[start:end + 1].dropna().astype(float)
                if len(cur) == 0 or len(ref) == 0:
                    continue
                ks = float(stats.ks_2samp(ref, cur).statistic)
                w = CONTINUOUS['wasserstein'](ref, cur, ColumnType.Numerical, None).drift_score
                values[f'{column}|{start}:{end}'] = {'ks': ks, 'wasserstein_norm': float(w), 'ref_std': float(np.std(ref))}
        out.append({'name': s['name'], 'values': values})
    with open(out_path, 'w') as fh:
        json.dump(out, fh)


if __name__ == '__main__':
    args = sys.argv[1:]
    if args and args[0] == '--compare':
        compare(args[1], args[args.index('--out') + 1])
    elif len(args) == 2 and args[1] == '--timing':
        bench(args[0])
    else:
        print('usage: evidently_driver.py CONFIG.json --timing | --compare JOB.json --out OUT.json', file=sys.stderr)
        sys.exit(2)
