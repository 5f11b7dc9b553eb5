"""Marginal matching: give generated rows the per-class marginals of the real rows.

A generator learns the dependence between features well but leaves each feature's
distribution slightly off (a pixel that is too often half-lit, a tail too thin),
and a classifier telling real rows from generated ones picks that up first. Each
feature of a generated row is mapped through ``F_real^-1(F_gen(x))``, the monotone
map that turns the generator's marginal into the data's, fitted per class. Being
monotone per feature, the map keeps the generator's ranks, so the dependence it
learned (its copula) stays as it was; only the marginals are replaced by the data's.
"""

import numpy as np

# Generated rows per class that estimate the generator's marginals: enough for a
# smooth distribution function at N_QUANTILES points, cheap to draw; fewer (down
# to MIN_REFERENCE_ROWS) when many classes times many features would otherwise
# hold more than MAX_REFERENCE_VALUES values at once.
REFERENCE_ROWS = 10_000
MIN_REFERENCE_ROWS = 1_000
MAX_REFERENCE_VALUES = 20_000_000
N_QUANTILES = 1000
# A class with fewer real rows has too coarse an empirical marginal to map onto;
# its rows are left as generated.
MIN_ROWS = 50


class MarginalMatcher:
    """Fitted on real rows and on rows drawn from the generator (each with optional
    label codes), ``transform(rows, codes)`` maps generated rows of every class onto
    that class's real marginals."""

    def fit(self, real, real_codes, generate):
        """``generate(codes, n)`` draws ``n`` rows for the label codes (None: unconditional)."""
        self.maps_ = {}
        groups = [None] if real_codes is None else np.unique(real_codes)
        budget = MAX_REFERENCE_VALUES // (len(groups) * real.shape[1])
        n_reference = max(MIN_REFERENCE_ROWS, min(REFERENCE_ROWS, budget))
        for code in groups:
            rows = real if code is None else real[real_codes == code]
            if len(rows) < MIN_ROWS:
                continue
            codes = None if code is None else np.full(n_reference, code)
            self.maps_[code] = (_quantiles(generate(codes, n_reference)), _quantiles(rows))
        return self

    def transform(self, rows, codes):
        rows = rows.copy()
        for code, (generated, real) in self.maps_.items():
            mask = slice(None) if code is None else codes == code
            if code is not None and not mask.any():
                continue
            block = rows[mask]
            gen_levels = np.linspace(0, 1, len(generated))
            real_levels = np.linspace(0, 1, len(real))
            for k in range(block.shape[1]):
                levels = _cdf(block[:, k], generated[:, k], gen_levels)
                block[:, k] = np.interp(levels, real_levels, real[:, k])
            rows[mask] = block
        return rows


def _quantiles(rows):
    """``N_QUANTILES`` evenly spaced quantiles per column (at most one per row).

    Sorting once and interpolating is what ``np.quantile`` computes, far faster for
    many levels of wide data.
    """
    ordered = np.sort(rows, axis=0)
    positions = np.linspace(0, len(rows) - 1, min(N_QUANTILES, len(rows)))
    below = np.floor(positions).astype(int)
    above = np.minimum(below + 1, len(rows) - 1)
    weight = (positions - below)[:, None]
    return ordered[below] * (1 - weight) + ordered[above] * weight


def _cdf(values, quantiles, levels):
    """Empirical distribution function from sorted ``quantiles``; ties (a value
    repeated over several quantiles) map to the middle of their levels, as in
    sklearn's QuantileTransformer."""
    up = np.interp(values, quantiles, levels)
    down = -np.interp(-values, -quantiles[::-1], -levels[::-1])
    return 0.5 * (up + down)
