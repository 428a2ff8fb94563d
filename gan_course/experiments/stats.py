"""Is a difference between two sets of runs real? Two t-tests, computed by scipy.stats.

Notebook 09's stored study reports their p-values; this module only names the two cases and returns the same fields
for both. `welch(a, b)`: two independent samples (different seeds, or unpaired settings), Welch's
t-test (scipy.stats.ttest_ind with equal_var=False). `paired(a, b)`: a[i] and b[i] come from the
same seed (same initial weights, batches and z), the paired t-test (scipy.stats.ttest_rel).
Each returns {"delta": mean(a) − mean(b), "t", "p" (two-sided), "df", "ci95": (low, high)} for the
difference of means; t and p are NaN when there is no spread to test against.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats


def _result(res, delta: float) -> dict:
    t, p = float(res.statistic), float(res.pvalue)
    df = float(getattr(res, "df", math.nan))
    try:
        ci = res.confidence_interval(0.95)
        low, high = float(ci.low), float(ci.high)
    except (AttributeError, ValueError):
        low = high = math.nan
    return {"delta": delta, "t": t, "p": p, "df": df, "ci95": (low, high)}


def welch(a, b) -> dict:
    """Welch's t-test of mean(a) − mean(b), a and b independent (each needs ≥ 2 values)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"Welch's test needs at least two values on each side, got {len(a)} and {len(b)}.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)        # zero spread: scipy returns NaN, and so do we
        return _result(stats.ttest_ind(a, b, equal_var=False), float(a.mean() - b.mean()))


def paired(a, b) -> dict:
    """The paired t-test of mean(a − b): a[i] and b[i] measured on the same seed."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) != len(b) or len(a) < 2:
        raise ValueError(f"a paired test needs the same number (≥ 2) of values on both sides, got "
                         f"{len(a)} and {len(b)}.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _result(stats.ttest_rel(a, b), float((a - b).mean()))


def noise_bar(values) -> float:
    """The smallest gap between two *single* measurements that is not noise, given repeated measurements
    `values` of one fixed thing (e.g. FID over sample seeds): each has sd s, their difference sd √2·s, and
    a gap beyond 2√2·s happens by chance about 5 % of the time (a normal spread)."""
    v = np.asarray(values, float)
    if len(v) < 2:
        raise ValueError(f"noise_bar needs at least two repeated measurements, got {len(v)}.")
    return float(2 * math.sqrt(2) * v.std(ddof=1))
