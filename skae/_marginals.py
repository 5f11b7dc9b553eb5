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
from sklearn.preprocessing import QuantileTransformer

# Generated rows per class that estimate the generator's marginals: enough for a
# smooth distribution function at N_QUANTILES points, cheap to draw.
REFERENCE_ROWS = 10_000
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
        for code in groups:
            rows = real if code is None else real[real_codes == code]
            if len(rows) < MIN_ROWS:
                continue
            codes = None if code is None else np.full(REFERENCE_ROWS, code)
            self.maps_[code] = (
                _uniform_map(generate(codes, REFERENCE_ROWS)),
                _uniform_map(rows),
            )
        return self

    def transform(self, rows, codes):
        rows = rows.copy()
        for code, (generated, real) in self.maps_.items():
            mask = slice(None) if code is None else codes == code
            if code is None or mask.any():
                rows[mask] = real.inverse_transform(generated.transform(rows[mask]))
        return rows


def _uniform_map(rows):
    return QuantileTransformer(
        n_quantiles=min(N_QUANTILES, len(rows)), subsample=None, random_state=0
    ).fit(rows)
