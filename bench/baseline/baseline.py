#!/usr/bin/env python3
"""The Python-stack baseline for `npm run bench`.

Computes the calculators of a `vigil run` config (shared/specs/run-contract.md, JSON form) on the same
CSV files the way NannyML does (shared/specs/nannyml-algorithms.md): a reference fit per column, then a
loop over chunks calling numpy/scipy once per chunk, column and method. Only numpy and scipy are
available on the bench machine, so pandas' `read_csv` is replaced by the `csv` module plus numpy
conversions, and scikit-learn's isotonic regression by scipy's (a C++ PAV, as fast as sklearn's).

This is a lean re-implementation, so it is a *generous* baseline: NannyML itself adds pandas overhead
per chunk and per column on top of the same numeric work.

    .venv-peers/bin/python bench/baseline/baseline.py CONFIG.json --out RESULTS.json

Writes the results in the run-contract long format (without chunk dates) and prints one JSON line with
timings: read_s (CSV reading and target join), compute_s (all calculators), per calculator, and the
peak RSS of the process.
"""
import csv
import gc
import itertools
import json
import math
import os
import resource
import sys
import time

import numpy as np
from scipy import stats
from scipy.optimize import isotonic_regression
from scipy.spatial.distance import jensenshannon

SAMPLING_ERROR_RANGE = 3  # nannyml/sampling_error/__init__.py
KS_WASSERSTEIN_EXACT_BELOW = 10_000  # spec §2.5: 'auto' is exact below 10 000 reference rows
ESTIMATION_BINS = 10_000  # spec §2.5/2.8 n_bins
AP_BOOTSTRAP_RESAMPLES = 50  # spec §4.5
AP_BOOTSTRAP_MAX_SIZE = 50_000
ECE_BINS = 10  # spec §4.1
CALIBRATION_SPLITS = 10
CALIBRATION_TEST_SIZE = 0.1

# pandas' default na_values
NA_TOKENS = {
    '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A',
    'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
}
TRUE_TOKENS = {'True', 'TRUE', 'true'}
FALSE_TOKENS = {'False', 'FALSE', 'false'}
READ_BLOCK_ROWS = 100_000


class ConfigError(Exception):
    pass


# ------------------------------------------------------------------------------------------------
# Columns: numeric float64 (NaN = missing) or categorical codes into sorted levels (-1 = missing)


class Numeric:
    kind = 'numeric'

    def __init__(self, values, is_int=False):
        self.values = values
        self.is_int = is_int

    def take(self, index):
        return Numeric(self.values[index], self.is_int)

    def slice(self, a, b):
        return Numeric(self.values[a:b], self.is_int)


class Categorical:
    kind = 'categorical'

    def __init__(self, codes, levels, dtype='string'):
        self.codes = codes  # int32, -1 missing; levels in np.unique order
        self.levels = levels
        self.dtype = dtype

    def take(self, index):
        return Categorical(self.codes[index], self.levels, self.dtype)

    def slice(self, a, b):
        return Categorical(self.codes[a:b], self.levels, self.dtype)


class Frame:
    def __init__(self, columns, length):
        self.columns = columns  # dict name -> column
        self.length = length

    def col(self, name, dataset):
        if name not in self.columns:
            raise ConfigError(f"{dataset}: column '{name}' not found")
        return self.columns[name]

    def take(self, index):
        return Frame({k: c.take(index) for k, c in self.columns.items()}, len(index))

    def slice(self, a, b):
        return Frame({k: c.slice(a, b) for k, c in self.columns.items()}, b - a)


def _to_float(block):
    try:
        return np.array(block, dtype=np.float64)
    except ValueError:
        pass
    try:
        return np.array(['nan' if v in NA_TOKENS else v for v in block], dtype=np.float64)
    except ValueError:
        return None


def _categorical(values):
    """Factorises text values (None = missing) into codes over np.unique-ordered levels."""
    index = {}
    raw = np.fromiter((-1 if v is None else index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values))
    levels = list(index.keys())
    dtype = 'string'
    if levels and all(l in TRUE_TOKENS or l in FALSE_TOKENS for l in levels):
        dtype = 'bool'
        canon = np.array([1 if l in TRUE_TOKENS else 0 for l in levels], dtype=np.int32)
        present = sorted(set(canon.tolist()))
        remap = np.array([present.index(c) for c in canon], dtype=np.int32)
        codes = np.where(raw < 0, -1, remap[np.maximum(raw, 0)]).astype(np.int32)
        return Categorical(codes, [['False', 'True'][c] for c in present], dtype)
    order = sorted(range(len(levels)), key=lambda i: levels[i])
    rank = np.empty(len(levels), dtype=np.int32)
    rank[order] = np.arange(len(levels), dtype=np.int32)
    codes = np.where(raw < 0, -1, rank[np.maximum(raw, 0)] if len(levels) else 0).astype(np.int32)
    return Categorical(codes, [levels[i] for i in order], dtype)


def read_csv(path):
    """CSV → Frame with pandas read_csv's typing: all-numeric columns are float64, the rest text.

    The cyclic garbage collector is paused while reading: millions of row lists would otherwise trigger
    full collections that make reading superlinear (pandas' C parser creates no such objects).
    """
    gc.disable()
    try:
        return _read_csv(path)
    finally:
        gc.enable()


def _read_csv(path):
    with open(path, newline='', encoding='utf-8-sig') as f:
        reader = csv.reader(f)
        header = next(reader)
        width = len(header)
        numeric_blocks = [[] for _ in header]
        text_blocks = [[] for _ in header]
        is_text = [False] * width
        n = 0
        while True:
            rows = list(itertools.islice(reader, READ_BLOCK_ROWS))
            if not rows:
                break
            if any(len(r) != width for r in rows):
                bad = next(i for i, r in enumerate(rows) if len(r) != width)
                raise ConfigError(f'{path}: line {n + bad + 2} has the wrong number of fields')
            n += len(rows)
            for j, block in enumerate(zip(*rows)):
                if not is_text[j]:
                    values = _to_float(block)
                    if values is not None:
                        numeric_blocks[j].append(values)
                        continue
                    is_text[j] = True
                text_blocks[j].append([None if v in NA_TOKENS else v for v in block])
        columns = {}
        for j, name in enumerate(header):
            if not is_text[j]:
                values = np.concatenate(numeric_blocks[j]) if numeric_blocks[j] else np.empty(0)
                finite = values[~np.isnan(values)]
                is_int = not np.isnan(values).any() and bool(np.all(finite == np.round(finite)))
                columns[name] = Numeric(values, is_int)
            elif numeric_blocks[j]:
                # A text field after numeric blocks: re-read this column's text (rare, so a second pass).
                columns[name] = _categorical(_reread_column(path, j))
            else:
                columns[name] = _categorical([v for b in text_blocks[j] for v in b])
    return Frame(columns, n)


def _reread_column(path, j):
    with open(path, newline='', encoding='utf-8-sig') as f:
        reader = csv.reader(f)
        next(reader)
        return [None if r[j] in NA_TOKENS else r[j] for r in reader]


def _join_key(col):
    if col.kind == 'numeric':
        return [None if math.isnan(v) else repr(float(v)) for v in col.values.tolist()]
    out = []
    for c in col.codes.tolist():
        if c < 0:
            out.append(None)
            continue
        s = col.levels[c]
        try:
            out.append(repr(float(s)))
        except ValueError:
            out.append(s)
    return out


def left_join_targets(analysis, targets, on):
    a_key, t_key = analysis.col(on, 'analysis'), targets.col(on, 'analysis_targets')
    if a_key.kind == 'numeric' and t_key.kind == 'numeric':
        order = np.argsort(t_key.values, kind='stable')
        sorted_keys = t_key.values[order]
        pos = np.clip(np.searchsorted(sorted_keys, a_key.values), 0, max(len(sorted_keys) - 1, 0))
        found = sorted_keys[pos] == a_key.values if len(sorted_keys) else np.zeros(analysis.length, bool)
        target_row = np.where(found, order[pos], -1)
    else:
        where = {k: i for i, k in enumerate(_join_key(t_key)) if k is not None}
        target_row = np.array([where.get(k, -1) for k in _join_key(a_key)], dtype=np.int64)
    columns = dict(analysis.columns)
    has = target_row >= 0
    for name, c in targets.columns.items():
        if name == on or name in columns:
            continue
        if c.kind == 'numeric':
            v = np.full(analysis.length, np.nan)
            v[has] = c.values[target_row[has]]
            columns[name] = Numeric(v)
        else:
            codes = np.full(analysis.length, -1, dtype=np.int32)
            codes[has] = c.codes[target_row[has]]
            columns[name] = Categorical(codes, c.levels, c.dtype)
    return Frame(columns, analysis.length)


def to_timestamps(col):
    if col.kind == 'numeric':
        return np.where(np.abs(col.values) < 1e11, col.values * 1000, col.values)
    level_ms = np.array(col.levels, dtype='datetime64[ms]').astype(np.float64)
    return np.where(col.codes < 0, np.nan, level_ms[np.maximum(col.codes, 0)])


# ------------------------------------------------------------------------------------------------
# Chunking (spec §1; size, number and default chunkers)


def chunker_of(params, where):
    if params.get('chunk_period') is not None:
        raise ConfigError(f'{where}: chunk_period is not supported by the baseline')
    if params.get('chunk_size') is not None:
        return ('size', int(params['chunk_size']))
    if params.get('chunk_number') is not None:
        return ('number', int(params['chunk_number']))
    return ('number', 10)


def chunks_of(n, chunker):
    kind, v = chunker
    size = v if kind == 'size' else n // v
    if size <= 0:
        size = n
    out = []
    i = 0
    while i + size - 1 < n:
        out.append((i, i + size - 1))
        i += size
    if i < n:
        out.append((i, n - 1))
    return out


# ------------------------------------------------------------------------------------------------
# Thresholds and alerts (spec §0.1)


def threshold_values(threshold, values, lower_limit, upper_limit, override_using_none=False):
    if threshold is None:
        return None, None
    kind = threshold.get('type', 'standard_deviation')
    if kind == 'constant':
        lower, upper = threshold.get('lower'), threshold.get('upper')
    else:
        v = np.asarray(values, dtype=np.float64)
        mean, std = (np.nanmean(v), np.nanstd(v)) if np.any(~np.isnan(v)) else (np.nan, np.nan)
        lm = threshold.get('std_lower_multiplier', 3)
        um = threshold.get('std_upper_multiplier', 3)
        lower = None if lm is None else float(mean - lm * std)
        upper = None if um is None else float(mean + um * std)
    if lower is not None and lower_limit is not None and lower <= lower_limit:
        lower = None if override_using_none else lower_limit
    if upper is not None and upper_limit is not None and upper >= upper_limit:
        upper = None if override_using_none else upper_limit
    return lower, upper


def strict_alert(value, lower, upper):
    if value is None or math.isnan(value):
        return False
    return bool((lower is not None and value < lower) or (upper is not None and value > upper))


def open_interval_alert(value, lower, upper):
    lo = -math.inf if lower is None else lower
    hi = math.inf if upper is None else upper
    if value is None or math.isnan(value):
        return True
    return not (lo < value < hi)


STD_DEFAULT = {'type': 'standard_deviation', 'std_lower_multiplier': 3, 'std_upper_multiplier': 3}
STD_UPPER_ONLY = {'type': 'standard_deviation', 'std_lower_multiplier': None, 'std_upper_multiplier': 3}


def fnum(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


class Series:
    """One (column, metric) series of a calculator: raw values per chunk → thresholds → result rows."""

    def __init__(self, column, metric, threshold, limits, alert_rule, override_using_none=False,
                 threshold_from='value', band_limits=None):
        self.column, self.metric = column, metric
        self.threshold, self.limits, self.alert_rule = threshold, limits, alert_rule
        self.override_using_none = override_using_none
        self.threshold_from = threshold_from
        self.band_limits = band_limits or limits
        self.values = {'reference': [], 'analysis': []}

    def add(self, period, value, sampling_error=None, realized=None, alert=None, targets_missing_rate=None):
        self.values[period].append((value, sampling_error, realized, alert, targets_missing_rate))

    def rows(self, calculator, calc_id, chunks):
        ref = self.values['reference']
        basis = [(r[2] if self.threshold_from == 'realized' else r[0]) for r in ref]
        basis = [np.nan if b is None else b for b in basis]
        lower, upper = threshold_values(self.threshold, basis, self.limits[0], self.limits[1], self.override_using_none)
        out = []
        for period in ('reference', 'analysis'):
            for (start, end), index, (value, se, realized, alert, tmr) in zip(
                chunks[period], range(len(chunks[period])), self.values[period]
            ):
                if alert is None:
                    if self.alert_rule == 'strict':
                        alert = strict_alert(value, lower, upper)
                    elif self.alert_rule == 'open_interval':
                        alert = open_interval_alert(value, lower, upper)
                ucb = lcb = None
                if se is not None and value is not None and math.isfinite(se) and math.isfinite(value):
                    ucb = value + SAMPLING_ERROR_RANGE * se
                    lcb = value - SAMPLING_ERROR_RANGE * se
                    if self.band_limits[1] is not None:
                        ucb = min(ucb, self.band_limits[1])
                    if self.band_limits[0] is not None:
                        lcb = max(lcb, self.band_limits[0])
                out.append({
                    'calculator': calculator, 'id': calc_id, 'column': self.column, 'metric': self.metric,
                    'period': period,
                    'chunk': {'key': f'[{start}:{end}]', 'index': index, 'start_index': start, 'end_index': end},
                    'value': fnum(value), 'upper_threshold': fnum(upper), 'lower_threshold': fnum(lower),
                    'alert': alert, 'sampling_error': fnum(se), 'upper_confidence_boundary': fnum(ucb),
                    'lower_confidence_boundary': fnum(lcb), 'realized': fnum(realized),
                    'targets_missing_rate': fnum(tmr),
                })
        return out


# ------------------------------------------------------------------------------------------------
# Univariate drift (spec §2)


def doane_edges(x):
    return np.histogram_bin_edges(x, bins='doane')


class JensenShannonContinuous:
    def __init__(self, ref):
        self.bins = doane_edges(ref)
        self.p = np.histogram(ref, bins=self.bins)[0] / len(ref)

    def probabilities(self, x):
        q = np.histogram(x, bins=self.bins)[0] / len(x)
        p = self.p
        leftover = 1 - np.sum(q)
        if leftover > 0:
            q = np.append(q, leftover)
            p = np.append(p, 0)
        return p, q

    def __call__(self, x):
        return float(jensenshannon(*self.probabilities(x), base=2))


class HellingerContinuous(JensenShannonContinuous):
    def __call__(self, x):
        p, q = self.probabilities(x)
        return float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)) / np.sqrt(2))


class CategoricalProbabilities:
    def __init__(self, ref_codes, n_levels):
        self.n_levels = n_levels
        self.counts = np.bincount(ref_codes, minlength=n_levels)
        self.seen = self.counts > 0
        self.p = self.counts[self.seen] / len(ref_codes)

    def probabilities(self, codes):
        q = np.bincount(codes, minlength=self.n_levels)[: self.n_levels][self.seen] / len(codes)
        p = self.p
        leftover = 1 - np.sum(q)
        if leftover > 0:
            q = np.append(q, leftover)
            p = np.append(p, 0)
        return p, q


class JensenShannonCategorical(CategoricalProbabilities):
    def __call__(self, codes):
        return float(jensenshannon(*self.probabilities(codes), base=2))


class HellingerCategorical(CategoricalProbabilities):
    def __call__(self, codes):
        p, q = self.probabilities(codes)
        return float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)) / np.sqrt(2))


class LInfinity:
    def __init__(self, ref_codes, n_levels):
        self.n_levels = n_levels
        self.p = np.bincount(ref_codes, minlength=n_levels) / len(ref_codes)

    def __call__(self, codes):
        counts = np.bincount(codes, minlength=self.n_levels)
        p = np.zeros(len(counts))
        p[: len(self.p)] = self.p
        return float(np.max(np.abs(p - counts / len(codes))))


class Chi2:
    def __init__(self, ref_codes, n_levels):
        self.n_levels = n_levels
        self.counts = np.bincount(ref_codes, minlength=n_levels)

    def __call__(self, codes):
        chunk = np.bincount(codes, minlength=self.n_levels)
        ref = np.zeros(len(chunk))
        ref[: len(self.counts)] = self.counts
        keep = (ref > 0) | (chunk > 0)
        table = np.stack([ref[keep], chunk[keep]], axis=1)
        if table.shape[0] < 2:
            return 0.0, False
        res = stats.chi2_contingency(table)
        return float(res[0]), bool(res[1] < 0.05)


class KolmogorovSmirnov:
    def __init__(self, ref):
        self.exact = len(ref) < KS_WASSERSTEIN_EXACT_BELOW
        if self.exact:
            self.ref = ref
        else:
            self.edges = np.linspace(ref.min(), ref.max(), ESTIMATION_BINS + 1)
            self.ref_cdf = np.cumsum(np.histogram(ref, self.edges)[0]) / len(ref)

    def __call__(self, x):
        if self.exact:
            return float(stats.ks_2samp(self.ref, x).statistic)
        below = np.count_nonzero(x < self.edges[0]) / len(x)
        cdf = below + np.cumsum(np.histogram(x, self.edges)[0]) / len(x)
        return float(np.max(np.abs(self.ref_cdf - cdf)))


class Wasserstein:
    def __init__(self, ref):
        self.exact = len(ref) < KS_WASSERSTEIN_EXACT_BELOW
        if self.exact:
            self.ref = ref
        else:
            self.edges = np.linspace(ref.min(), ref.max(), ESTIMATION_BINS + 1)
            self.ref_cdf = np.cumsum(np.histogram(ref, self.edges)[0] / len(ref))
            self.width = self.edges[1] - self.edges[0]

    def __call__(self, x):
        if self.exact:
            return float(stats.wasserstein_distance(self.ref, x))
        n = len(x)
        first, last = self.edges[0], self.edges[-1]
        small = x[x < first]
        big = x[x > last]
        tail_small = tail_big = 0.0
        a_small = 0.0
        if len(small):
            a_small = (len(small) + 1) / n
            xs, ys = _ecdf(np.append(small, first))
            tail_small = a_small * np.sum(ys[:-1] * np.diff(xs))
        if len(big):
            a_big = (len(big) + 1) / n
            xs, ys = _ecdf(np.append(big, last))
            tail_big = a_big * np.sum((1 - ys[:-1]) * np.diff(xs))
        cdf = np.cumsum(np.histogram(x, self.edges)[0] / n) + a_small
        return float(np.sum(np.abs(self.ref_cdf - cdf)) * self.width + tail_small + tail_big)


def _ecdf(values):
    xs, counts = np.unique(values, return_counts=True)
    return xs, np.cumsum(counts) / len(values)


CONTINUOUS_METHODS = {
    'jensen_shannon': (JensenShannonContinuous, (0, None)),
    'hellinger': (HellingerContinuous, (0, None)),
    'kolmogorov_smirnov': (KolmogorovSmirnov, (0, 1)),
    'wasserstein': (Wasserstein, (0, None)),
}
CATEGORICAL_METHODS = {
    'jensen_shannon': (JensenShannonCategorical, (0, None)),
    'hellinger': (HellingerCategorical, (0, None)),
    'l_infinity': (LInfinity, (0, None)),
    'chi2': (Chi2, (0, 1)),
}


def is_categorical_column(name, col, params):
    if name in (params.get('treat_as_categorical') or []):
        return True
    if name in (params.get('treat_as_numerical') or []):
        return False
    return col.kind == 'categorical'


def as_codes(col):
    """Codes over the reference's np.unique levels; numeric columns treated as categorical use their values."""
    if col.kind == 'categorical':
        return col
    v = col.values
    levels, inv = np.unique(v[~np.isnan(v)], return_inverse=True)
    codes = np.full(len(v), -1, dtype=np.int32)
    codes[~np.isnan(v)] = inv
    return Categorical(codes, [repr(float(x)) for x in levels], 'number')


def recode(col, ref_levels):
    """Maps a chunk column's codes onto the reference levels; unseen levels get codes past the end."""
    if col.levels is ref_levels or col.levels == ref_levels:
        return col.codes
    index = {l: i for i, l in enumerate(ref_levels)}
    extra = {}
    m = np.array([index[l] if l in index else len(ref_levels) + extra.setdefault(l, len(extra)) for l in col.levels], dtype=np.int32)
    return np.where(col.codes < 0, -1, m[np.maximum(col.codes, 0)] if len(m) else -1)


def univariate_drift(params, ref, ana, ctx):
    names = sorted(params['column_names'])
    cont_methods = params.get('continuous_methods') or ['jensen_shannon']
    cat_methods = params.get('categorical_methods') or ['jensen_shannon']
    ref_chunks, ana_chunks = ctx['chunks']['reference'], ctx['chunks']['analysis']
    series_out = []
    for name in names:
        rc, ac = ref.col(name, 'reference'), ana.col(name, 'analysis')
        if is_categorical_column(name, rc, params):
            rc = as_codes(rc)
            ref_codes = rc.codes[rc.codes >= 0]
            ana_cat = as_codes(ac) if ac.kind == 'numeric' else ac
            ana_codes = recode(ana_cat, rc.levels)
            ref_all = rc.codes
            for m in cat_methods:
                cls, limits = CATEGORICAL_METHODS[m]
                method = cls(ref_codes, len(rc.levels))
                s = Series(name, m, None if m == 'chi2' else STD_UPPER_ONLY, limits, 'strict')
                for period, codes, chunks in (('reference', ref_all, ref_chunks), ('analysis', ana_codes, ana_chunks)):
                    for a, b in chunks:
                        c = codes[a : b + 1]
                        c = c[c >= 0]
                        if len(c) == 0:
                            s.add(period, np.nan)
                        elif m == 'chi2':
                            stat, alert = method(c)
                            s.add(period, stat, alert=alert)
                        else:
                            s.add(period, method(c))
                series_out.append(s)
        else:
            rv = rc.values
            rv_clean = rv[~np.isnan(rv)]
            av = ac.values
            for m in cont_methods:
                cls, limits = CONTINUOUS_METHODS[m]
                method = cls(rv_clean)
                s = Series(name, m, STD_UPPER_ONLY, limits, 'strict')
                for period, values, chunks in (('reference', rv, ref_chunks), ('analysis', av, ana_chunks)):
                    for a, b in chunks:
                        x = values[a : b + 1]
                        x = x[~np.isnan(x)]
                        s.add(period, method(x) if len(x) else np.nan)
                series_out.append(s)
    return series_out


# ------------------------------------------------------------------------------------------------
# Data quality and summary statistics (spec §7)


def missing_values(params, ref, ana, ctx):
    normalize = params.get('normalize', True)
    out = []
    for name in sorted(params['column_names']):
        def missing(col):
            return np.isnan(col.values) if col.kind == 'numeric' else col.codes < 0
        rm, am = missing(ref.col(name, 'reference')), missing(ana.col(name, 'analysis'))
        p = rm.mean()
        limits = (0, 1) if normalize else (0, None)
        s = Series(name, 'missing_values', STD_DEFAULT, limits, 'strict')
        for period, mask, chunks in (('reference', rm, ctx['chunks']['reference']), ('analysis', am, ctx['chunks']['analysis'])):
            for a, b in chunks:
                n = b - a + 1
                count = np.count_nonzero(mask[a : b + 1])
                se = math.sqrt(p * (1 - p)) / math.sqrt(n) if normalize else math.sqrt(p * (1 - p)) * math.sqrt(n)
                s.add(period, count / n if normalize else count, sampling_error=se)
        out.append(s)
    return out


def unseen_values(params, ref, ana, ctx):
    normalize = params.get('normalize', True)
    out = []
    for name in sorted(params['column_names']):
        rc = as_codes(ref.col(name, 'reference'))
        ac = ana.col(name, 'analysis')
        ac_codes = recode(as_codes(ac) if ac.kind == 'numeric' else ac, rc.levels)
        seen = np.zeros(len(rc.levels) + 1, dtype=bool)
        seen[np.unique(rc.codes[rc.codes >= 0])] = True
        ref_has_nan = bool(np.any(rc.codes < 0))
        s = Series(name, 'unseen_values', {'type': 'constant', 'lower': None, 'upper': 0}, (0, 1) if normalize else (0, None), 'strict')
        for period, codes, chunks in (('reference', rc.codes, ctx['chunks']['reference']), ('analysis', ac_codes, ctx['chunks']['analysis'])):
            for a, b in chunks:
                c = codes[a : b + 1]
                known = c[(c >= 0) & (c < len(rc.levels))]
                unseen = np.count_nonzero(c >= len(rc.levels)) + np.count_nonzero(~seen[known])
                if not ref_has_nan:
                    unseen += np.count_nonzero(c < 0)
                s.add(period, unseen / len(c) if normalize else unseen)
        out.append(s)
    return out


def numerical_range(params, ref, ana, ctx):
    normalize = params.get('normalize', True)
    out = []
    for name in sorted(params['column_names']):
        rv = ref.col(name, 'reference').values
        lo, hi = np.nanmin(rv), np.nanmax(rv)
        s = Series(name, 'numerical_range', {'type': 'constant', 'lower': None, 'upper': 0}, (0, 1) if normalize else (0, None), 'strict')
        for period, values, chunks in (('reference', rv, ctx['chunks']['reference']), ('analysis', ana.col(name, 'analysis').values, ctx['chunks']['analysis'])):
            for a, b in chunks:
                x = values[a : b + 1]
                count = np.count_nonzero((x < lo) | (x > hi))
                s.add(period, count / len(x) if normalize else count)
        out.append(s)
    return out


def summary_stat(kind):
    def calc(params, ref, ana, ctx):
        out = []
        for name in sorted(params['column_names']):
            rv = ref.col(name, 'reference').values
            clean = rv[~np.isnan(rv)]
            s1 = np.std(clean, ddof=1)
            if kind == 'avg':
                value, se_of, limits = np.nanmean, lambda n: s1 / math.sqrt(n), (None, None)
            elif kind == 'sum':
                value, se_of, limits = np.nansum, lambda n: s1 * math.sqrt(n), (None, None)
            elif kind == 'std':
                # NannyML: scipy.stats.moment on the raw column, so a column with NaN gets a NaN SE.
                mu4 = np.mean((rv - clean.mean()) ** 4)

                def se_of(n, s1=s1, mu4=mu4):
                    bracket = (mu4 - (n - 3) * s1 ** 4 / (n - 1)) / n
                    return (1 / (2 * s1)) * math.sqrt(bracket) if bracket >= 0 else np.nan

                def value(x):
                    return np.nanstd(x, ddof=1)
                limits = (0, None)
            else:  # median
                density = stats.gaussian_kde(clean).evaluate(np.median(clean))[0]
                value, se_of, limits = np.nanmedian, lambda n, f=density: math.sqrt(1 / (4 * n * f * f)), (None, None)
            s = Series(name, kind, STD_DEFAULT, limits, 'open_interval', override_using_none=True)
            for period, values, chunks in (('reference', rv, ctx['chunks']['reference']), ('analysis', ana.col(name, 'analysis').values, ctx['chunks']['analysis'])):
                for a, b in chunks:
                    x = values[a : b + 1]
                    s.add(period, float(value(x)), sampling_error=se_of(len(x)))
            out.append(s)
        return out
    return calc


def row_count(params, ref, ana, ctx):
    s = Series(None, 'rows_count', STD_DEFAULT, (0, None), 'open_interval', override_using_none=True)
    for period in ('reference', 'analysis'):
        for a, b in ctx['chunks'][period]:
            s.add(period, b - a + 1)
    return [s]


# ------------------------------------------------------------------------------------------------
# PCA data reconstruction (spec §3.1)


def data_reconstruction(params, ref, ana, ctx):
    names = params['column_names']
    n_components = params.get('n_components', 0.65)
    fitted = []
    for name in names:
        rc = ref.col(name, 'reference')
        if rc.kind == 'categorical':
            counts = np.bincount(rc.codes[rc.codes >= 0], minlength=len(rc.levels))
            mode = int(np.argmax(counts))  # ties: the smallest value (levels are sorted)
            imputed = np.where(rc.codes < 0, mode, rc.codes)
            freq = np.bincount(imputed, minlength=len(rc.levels)) / len(imputed)
            fitted.append(('cat', name, rc.levels, mode, freq))
        else:
            fitted.append(('num', name, np.nanmean(rc.values)))

    def encode(frame, dataset):
        cols = []
        for f in fitted:
            c = frame.col(f[1], dataset)
            if f[0] == 'num':
                cols.append(np.where(np.isnan(c.values), f[2], c.values))
            else:
                levels, mode, freq = f[2], f[3], f[4]
                codes = recode(c, levels)
                codes = np.where(codes < 0, mode, codes)
                enc = np.zeros(len(codes))
                known = codes < len(levels)
                enc[known] = freq[codes[known]]
                cols.append(enc)
        return np.column_stack(cols)

    x_ref = encode(ref, 'reference')
    mean = x_ref.mean(axis=0)
    scale = x_ref.std(axis=0)
    scale[scale == 0] = 1
    z = (x_ref - mean) / scale
    mu_z = z.mean(axis=0)
    _, sv, vt = np.linalg.svd(z - mu_z, full_matrices=False)
    var = sv ** 2 / (len(z) - 1)
    ratio = var / var.sum()
    if isinstance(n_components, float) and 0 < n_components < 1:
        k = int(np.searchsorted(np.cumsum(ratio), n_components, side='right') + 1)
    else:
        k = int(n_components)
    vk = vt[:k]
    s = Series(None, 'reconstruction_error', STD_DEFAULT, (0, None), 'open_interval', override_using_none=True,
               band_limits=(0, None))
    for period, frame, dataset in (('reference', ref, 'reference'), ('analysis', ana, 'analysis')):
        zz = (encode(frame, dataset) - mean) / scale
        for a, b in ctx['chunks'][period]:
            zc = zz[a : b + 1]
            rec = (zc - mu_z) @ vk.T @ vk + mu_z
            e = np.sqrt(np.sum((zc - rec) ** 2, axis=1))
            s.add(period, float(e.mean()), sampling_error=float(np.std(e, ddof=1) / math.sqrt(len(e))))
    return [s]


# ------------------------------------------------------------------------------------------------
# Binary classification: realized metrics, sampling errors, CBPE (spec §4, §6)


def roc_auc(y, s):
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return np.nan
    ranks = stats.rankdata(s)
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def average_precision(y, s):
    if y.sum() == 0:
        return np.nan
    order = np.argsort(-s, kind='mergesort')
    ys, ss = y[order], s[order]
    distinct = np.where(np.diff(ss))[0]
    idx = np.r_[distinct, len(ys) - 1]
    tps = np.cumsum(ys)[idx]
    fps = 1 + idx - tps
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0, recall]) * precision))


def confusion(y, yp):
    tp = float(np.sum((y == 1) & (yp == 1)))
    tn = float(np.sum((y == 0) & (yp == 0)))
    fp = float(np.sum((y == 0) & (yp == 1)))
    fn = float(np.sum((y == 1) & (yp == 0)))
    return tp, tn, fp, fn


def realized_metric(metric, y, yp, s):
    if len(y) == 0:
        return np.nan
    if metric == 'roc_auc':
        return roc_auc(y, s)
    if metric == 'average_precision':
        return average_precision(y, s)
    tp, tn, fp, fn = confusion(y, yp)
    if metric == 'f1':
        if len(np.unique(y)) < 2 or len(np.unique(yp)) < 2:
            return np.nan
        return tp / (tp + 0.5 * (fp + fn))
    if metric == 'precision':
        return tp / (tp + fp) if tp + fp else 0.0
    if metric == 'recall':
        return tp / (tp + fn) if tp + fn else 0.0
    if metric == 'specificity':
        return tn / (tn + fp) if tn + fp else np.nan
    if metric == 'accuracy':
        return (tp + tn) / len(y)
    return {'true_positive': tp, 'true_negative': tn, 'false_positive': fp, 'false_negative': fn}[metric]


CM_CELLS = ['true_positive', 'true_negative', 'false_positive', 'false_negative']


class SamplingError:
    """Reference components per metric (spec §4.5); `__call__(metric, n)` gives the chunk's SE."""

    def __init__(self, y, yp, s, metrics, rng):
        self.n_ref = len(y)
        self.components = {}
        tp = (y == 1) & (yp == 1)
        tn = (y == 0) & (yp == 0)
        fp = (y == 0) & (yp == 1)
        fn = (y == 1) & (yp == 0)
        for m in metrics:
            if m == 'f1':
                vec = np.r_[np.ones(tp.sum()), np.zeros(fn.sum() + fp.sum())]
                vec = vec * (len(vec) / ((fn.sum() + fp.sum()) / 2 + tp.sum()))
                self.components[m] = (np.std(vec), len(vec) / self.n_ref)
            elif m == 'precision':
                vec = np.r_[np.ones(tp.sum()), np.zeros(fp.sum())]
                self.components[m] = (np.std(vec), len(vec) / self.n_ref)
            elif m == 'recall':
                vec = np.r_[np.ones(tp.sum()), np.zeros(fn.sum())]
                self.components[m] = (np.std(vec), len(vec) / self.n_ref)
            elif m == 'specificity':
                vec = np.r_[np.ones(tn.sum()), np.zeros(fp.sum())]
                self.components[m] = (np.std(vec), len(vec) / self.n_ref)
            elif m == 'accuracy':
                self.components[m] = (np.std(y == yp), 1.0)
            elif m == 'confusion_matrix':
                for cell, mask in zip(CM_CELLS, (tp, tn, fp, fn)):
                    self.components[cell] = (np.std(mask), 1.0)
            elif m == 'roc_auc':
                self.components[m] = self._auroc_component(y, s)
            elif m == 'average_precision':
                size = min(self.n_ref // 2, AP_BOOTSTRAP_MAX_SIZE)
                aps = []
                for _ in range(AP_BOOTSTRAP_RESAMPLES):
                    idx = rng.integers(0, self.n_ref, size)
                    aps.append(average_precision(y[idx], s[idx]))
                self.components[m] = (np.std(aps), size)

    def _auroc_component(self, y, s):
        y, s = y.astype(np.float64), s.astype(np.float64)
        if y.mean() > 0.5:
            y, s = 1 - y, 1 - s
        order = np.argsort(s)
        ys = y[order]
        positions = np.arange(len(ys))
        r = np.unique(positions * ys)
        r = r[r != 0]
        ser = r - np.arange(len(r))
        n_neg = len(ys) - ys.sum()
        return (np.std(ser / n_neg), ys.sum() / self.n_ref)

    def __call__(self, metric, n):
        if n == 0:
            return np.nan
        std, frac = self.components[metric]
        if metric == 'average_precision':
            return std * math.sqrt(frac / n)
        if metric in CM_CELLS:
            return std / math.sqrt(n) * n
        return std / math.sqrt(n * frac)


def ece(score, y):
    order = np.argsort(score, kind='stable')
    s, t = score[order], y[order]
    n = len(s)
    edges = list(range(0, n + 1, n // ECE_BINS))
    edges[-1] = n
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        if b > a:
            total += (b - a) / n * abs(s[a:b].mean() - t[a:b].mean())
    return total


class Isotonic:
    """IsotonicRegression(increasing, out_of_bounds='clip'): ties merged, PAV, linear interpolation."""

    def __init__(self, score, y):
        xs, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
        sums = np.bincount(inverse, weights=y)
        self.x = xs
        self.y = isotonic_regression(sums / counts, weights=counts).x

    def __call__(self, score):
        return np.interp(score, self.x, self.y)


def stratified_shuffle_splits(y, rng):
    """Seeded stratified 90/10 splits (sklearn's exact permutation is not portable, spec §9.4)."""
    classes = [np.flatnonzero(y == c) for c in (0, 1)]
    for _ in range(CALIBRATION_SPLITS):
        test = []
        for idx in classes:
            k = int(round(len(idx) * CALIBRATION_TEST_SIZE))
            test.append(rng.permutation(idx)[:k])
        test = np.concatenate(test)
        mask = np.ones(len(y), dtype=bool)
        mask[test] = False
        yield np.flatnonzero(mask), test


def needs_calibration(y, s, rng):
    if len(np.unique(y)) < 2 or roc_auc(y, s) > 0.999:
        return False
    tests, calibrated = [], []
    for train, test in stratified_shuffle_splits(y, rng):
        tests.append(test)
        calibrated.append(Isotonic(s[train], y[train])(s[test]))
    test = np.concatenate(tests)
    return ece(s[test], y[test]) > ece(np.concatenate(calibrated), y[test])


def estimated_metric(metric, p, yp, s):
    n = len(p)
    if n == 0:
        return np.nan
    if metric in ('roc_auc', 'average_precision'):
        order = np.argsort(-s, kind='stable')
        pp = p[order]
        tps = np.round(np.r_[0, np.cumsum(pp)], 5)
        if metric == 'roc_auc':
            fps = np.round(np.r_[0, np.arange(1, n + 1) - np.cumsum(pp)], 5)
            if tps[-1] == 0 or fps[-1] == 0:
                return np.nan
            return float(np.trapezoid(tps / tps[-1], fps / fps[-1]))
        precision = np.r_[1, tps[1:] / np.arange(1, n + 1)]
        recall = tps / tps[-1]
        precision, recall = precision[::-1], recall[::-1]
        return float(-np.sum(np.diff(recall) * precision[:-1]))
    tp = float(np.sum(p[yp == 1]))
    fp = float(np.sum(1 - p[yp == 1]))
    fn = float(np.sum(p[yp == 0]))
    tn = float(np.sum(1 - p[yp == 0]))
    div = lambda a, b: a / b if b else 0.0
    if metric == 'precision':
        return div(tp, tp + fp)
    if metric == 'recall':
        return div(tp, tp + fn)
    if metric == 'specificity':
        return div(tn, tn + fp)
    if metric == 'f1':
        return div(tp, tp + 0.5 * (fp + fn))
    if metric == 'accuracy':
        return (tp + tn) / n
    return {'true_positive': tp, 'true_negative': tn, 'false_positive': fp, 'false_negative': fn}[metric]


def metric_names(metrics):
    out = []
    for m in metrics:
        out.extend(CM_CELLS if m == 'confusion_matrix' else [m])
    return out


def metric_limits(m):
    return (0, None) if m in CM_CELLS else (0, 1)


def binary_columns(params, frame, dataset):
    if params.get('problem_type', 'classification_binary') != 'classification_binary':
        raise ConfigError('only classification_binary is supported by the baseline')
    y_col = params['y_true']
    y = frame.columns[y_col].values if y_col in frame.columns else np.full(frame.length, np.nan)
    s = frame.col(params['y_pred_proba'], dataset).values
    yp = frame.col(params['y_pred'], dataset).values if params.get('y_pred') else np.full(frame.length, np.nan)
    return y, yp, s


def performance(params, ref, ana, ctx):
    metrics = params['metrics']
    y_r, yp_r, s_r = binary_columns(params, ref, 'reference')
    keep = ~np.isnan(y_r) & ~np.isnan(yp_r) & ~np.isnan(s_r)
    se = SamplingError(y_r[keep], yp_r[keep], s_r[keep], metrics, ctx['rng'])
    out = []
    for m in metric_names(metrics):
        s = Series(None, m, STD_DEFAULT, metric_limits(m), 'strict')
        for period, frame in (('reference', ref), ('analysis', ana)):
            y, yp, sc = binary_columns(params, frame, period)
            for a, b in ctx['chunks'][period]:
                yc, ypc, scc = y[a : b + 1], yp[a : b + 1], sc[a : b + 1]
                missing_rate = float(np.mean(np.isnan(yc)))
                k = ~np.isnan(yc) & ~np.isnan(ypc if m not in ('roc_auc', 'average_precision') else scc)
                v = realized_metric(m, yc[k], ypc[k], scc[k])
                s.add(period, v, sampling_error=se(m, int(k.sum())), targets_missing_rate=missing_rate)
        out.append(s)
    return out


def cbpe(params, ref, ana, ctx):
    metrics = params['metrics']
    y_r, yp_r, s_r = binary_columns(params, ref, 'reference')
    keep = ~np.isnan(y_r) & ~np.isnan(yp_r) & ~np.isnan(s_r)
    yk, ypk, sk = y_r[keep], yp_r[keep], s_r[keep]
    se = SamplingError(yk, ypk, sk, metrics, ctx['rng'])
    calibration = params.get('calibration', 'auto')
    calibrate = needs_calibration(yk, sk, ctx['rng']) if calibration == 'auto' else bool(calibration)
    calibrator = Isotonic(sk, yk) if calibrate else (lambda x: x)
    out = []
    for m in metric_names(metrics):
        s = Series(None, m, STD_DEFAULT, metric_limits(m), 'strict', threshold_from='realized')
        for period, frame in (('reference', ref), ('analysis', ana)):
            y, yp, sc = binary_columns(params, frame, period)
            p_all = calibrator(sc)
            for a, b in ctx['chunks'][period]:
                yc, ypc, scc, pc = y[a : b + 1], yp[a : b + 1], sc[a : b + 1], p_all[a : b + 1]
                k = ~np.isnan(scc) & ~np.isnan(ypc)
                value = estimated_metric(m, pc[k], ypc[k], scc[k])
                realized = None
                if not np.all(np.isnan(yc)):
                    kr = k & ~np.isnan(yc)
                    realized = realized_metric(m, yc[kr], ypc[kr], scc[kr])
                s.add(period, value, sampling_error=se(m, int(k.sum())), realized=realized)
        out.append(s)
    return out


CALCULATORS = {
    'UnivariateDriftCalculator': univariate_drift,
    'MissingValuesCalculator': missing_values,
    'UnseenValuesCalculator': unseen_values,
    'NumericalRangeCalculator': numerical_range,
    'SummaryStatsAvgCalculator': summary_stat('avg'),
    'SummaryStatsSumCalculator': summary_stat('sum'),
    'SummaryStatsStdCalculator': summary_stat('std'),
    'SummaryStatsMedianCalculator': summary_stat('median'),
    'SummaryStatsRowCountCalculator': row_count,
    'DataReconstructionDriftCalculator': data_reconstruction,
    'CBPE': cbpe,
    'PerformanceCalculator': performance,
}


# ------------------------------------------------------------------------------------------------


def default_join(analysis, targets):
    shared = [n for n in targets.columns if n in analysis.columns]
    if len(shared) != 1:
        raise ConfigError(f'analysis_targets: cannot pick the join column from {shared}; set join_on')
    return shared[0]


def main(argv):
    t_start = time.perf_counter()
    config_path = argv[0]
    out_path = argv[argv.index('--out') + 1] if '--out' in argv else None
    with open(config_path) as f:
        config = json.load(f)
    base = os.path.dirname(os.path.abspath(config_path))
    path = lambda p: os.path.join(base, p)

    t0 = time.perf_counter()
    c0 = time.process_time()
    reference = read_csv(path(config['reference']))
    analysis = read_csv(path(config['analysis']))
    if config.get('analysis_targets'):
        targets = read_csv(path(config['analysis_targets']))
        analysis = left_join_targets(analysis, targets, config.get('join_on') or default_join(analysis, targets))
    read_s = time.perf_counter() - t0
    read_cpu_s = time.process_time() - c0

    t1 = time.perf_counter()
    c1 = time.process_time()
    results, per_calculator, skipped = [], {}, []
    sorted_frames = {}
    for i, calc in enumerate(config['calculators']):
        cls, params = calc['class'], calc.get('params', {})
        if cls not in CALCULATORS:
            skipped.append(cls)
            continue
        tc = time.perf_counter()
        ts = params.get('timestamp_column_name')
        if ts not in sorted_frames:
            frames = []
            for frame, dataset in ((reference, 'reference'), (analysis, 'analysis')):
                if ts:
                    frame = frame.take(np.argsort(to_timestamps(frame.col(ts, dataset)), kind='stable'))
                frames.append(frame)
            sorted_frames[ts] = frames
        ref, ana = sorted_frames[ts]
        chunker = chunker_of(params, f'calculators[{i}].params')
        ctx = {
            'chunks': {'reference': chunks_of(ref.length, chunker), 'analysis': chunks_of(ana.length, chunker)},
            'rng': np.random.default_rng(42),
        }
        series = CALCULATORS[cls](params, ref, ana, ctx)
        for s in series:
            results.extend(s.rows(cls, calc.get('id', cls), ctx['chunks']))
        per_calculator[calc.get('id', cls)] = per_calculator.get(calc.get('id', cls), 0) + time.perf_counter() - tc
    compute_s = time.perf_counter() - t1
    compute_cpu_s = time.process_time() - c1

    if out_path:
        with open(out_path, 'w') as f:
            json.dump({'results': results}, f)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        'read_s': read_s,
        'compute_s': compute_s,
        'read_cpu_s': read_cpu_s,
        'compute_cpu_s': compute_cpu_s,
        'total_s': time.perf_counter() - t_start,
        'per_calculator_s': per_calculator,
        'skipped': skipped,
        'rows': len(results),
        'max_rss_bytes': usage.ru_maxrss * 1024,
        'cpu_s': usage.ru_utime + usage.ru_stime,
    }))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except ConfigError as e:
        print(f'baseline: {e}', file=sys.stderr)
        sys.exit(2)
