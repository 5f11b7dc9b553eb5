"""Marginal matching: give generated rows the per-class marginals of the real rows.

A generator learns the dependence between features well but leaves each feature's
distribution slightly off (a pixel that is too often half-lit, a tail too thin),
and a classifier telling real rows from generated ones picks that up first. The
fix is the monotone map ``F_real^-1(F_gen(x))``, which turns a generated marginal
into the real one, fitted per class and applied in two passes:

1. along the class's principal axes (of its real rows): the score of a generated
   row on each axis is mapped and the row moved by the change, which gives the
   spread of the data along every axis, its correlations included, where the
   generator had them slightly off;
2. along each feature, which gives every feature the real marginal exactly.

On digits the first pass took the two-sample AUC from 0.73 to 0.67 (see
benchmarks/). Each pass is monotone along its axes, so the generator's ranks, and
with them what it learned beyond second moments, are kept as far as the data's
marginals allow.

A class's distribution is rarely one blob (a digit is written in a few distinct
ways), and one set of axes for the whole class sees only its average shape. So
the two passes are then repeated locally: the class's real rows are split by
k-means into clusters of at least ``ROWS_PER_CLUSTER`` rows (fewer clusters, or
none, where many classes of wide rows would make the fitted maps large), every
generated row goes to the cluster of its nearest centre, and each cluster's
generated rows get that cluster's marginals along its own axes and features.
Which cluster a row falls in is left to the generator, so the clusters' shares
stay as it learned them; a last pass along the features of the whole class
restores the class's marginals, which shares slightly off would shift. On digits
(126 rows a class, two clusters each) the local passes took the two-sample AUC
of four fitted generators from 0.70 to 0.65, and on the 2D ring (one class, four
clusters) the high-quality share from 98.0% to 98.3% (see benchmarks/).
"""

import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import pairwise_distances_argmin

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
# Principal axes per class: all of them up to this many (a rank-deficient class,
# fewer rows than features, has fewer), else the leading ones, which keeps wide
# tables (images of thousands of pixels) cheap.
MAX_AXES = 256
# Local matching: clusters per class of at least this many real rows (empirical
# marginals of fewer rows are too coarse; on digits, 126 rows a class, two
# clusters of 63 beat three of 42), and at most MAX_CLUSTERS of them.
ROWS_PER_CLUSTER = 60
MAX_CLUSTERS = 4
# Each cluster keeps quantile tables of every feature, about 20 KB a feature, in
# the fitted sampler: classes x clusters x features stays within this budget
# (digits, 10 x 2 x 64, is well inside; 10 classes of 784 pixels get no local
# pass, which would have grown the pickle fourfold and the fit by a minute).
MAX_LOCAL_COLUMNS = 2_000


class MarginalMatcher:
    """Fitted on real rows and on rows drawn from the generator (each with optional
    label codes), ``transform(rows, codes)`` maps generated rows of every class onto
    that class's real marginals, along its principal axes and then each feature,
    first for the whole class and then within each of its clusters."""

    def fit(self, real, real_codes, generate):
        """``generate(codes, n)`` draws ``n`` rows for the label codes (None: unconditional)."""
        self.maps_ = {}
        self.local_maps_ = {}
        groups = [None] if real_codes is None else np.unique(real_codes)
        columns = len(groups) * real.shape[1]  # what both size budgets are shared by
        n_reference = _reference_rows(columns)
        max_clusters = min(MAX_CLUSTERS, MAX_LOCAL_COLUMNS // columns)
        for code in groups:
            rows = real if code is None else real[real_codes == code]
            if len(rows) < MIN_ROWS:
                continue
            codes = None if code is None else np.full(n_reference, code)
            generated = generate(codes, n_reference)
            self.maps_[code], moved = _fit_passes(generated, rows)
            n_clusters = min(max_clusters, len(rows) // ROWS_PER_CLUSTER)
            if n_clusters > 1:
                on_features = self.maps_[code][2]
                self.local_maps_[code] = _LocalMaps(on_features(moved), rows, n_clusters)
        return self

    def transform(self, rows, codes):
        rows = rows.copy()
        for code, passes in self.maps_.items():
            mask = slice(None) if code is None else codes == code
            if code is not None and not mask.any():
                continue
            rows[mask] = _apply_passes(rows[mask], *passes)
            if code in self.local_maps_:
                rows[mask] = self.local_maps_[code](rows[mask])
        return rows

    def __getstate__(self):
        return _pairs(self.__dict__, ("maps_", "local_maps_"))

    def __setstate__(self, state):
        state = _dicts(state, ("maps_", "local_maps_"))
        # Matchers pickled before local matching map each class as a whole.
        state.setdefault("local_maps_", {})
        self.__dict__.update(state)


class _LocalMaps:
    """The two passes within each k-means cluster of a class's real rows (a
    generated row takes the maps of the cluster whose centre is nearest), then a
    pass along the features of the whole class."""

    def __init__(self, generated, real, n_clusters):
        with warnings.catch_warnings():
            # Duplicated rows can leave fewer distinct clusters than asked for; the
            # empty ones are skipped below like any cluster that is too small.
            warnings.simplefilter("ignore", ConvergenceWarning)
            kmeans = KMeans(n_clusters, n_init=3, random_state=0).fit(real)
        self.centres = kmeans.cluster_centers_
        self.maps = {}
        assigned = self._nearest(generated)
        matched = generated.copy()
        for k in range(n_clusters):
            cluster = real[kmeans.labels_ == k]
            mine = assigned == k
            # k-means may leave a cluster small, and the generator may rarely reach
            # one: such a cluster keeps the class-wide maps only.
            if len(cluster) >= MIN_ROWS and mine.sum() >= MIN_ROWS:
                self.maps[k], moved = _fit_passes(generated[mine], cluster)
                matched[mine] = self.maps[k][2](moved)
        # The clusters' shares are the generator's, so the class's marginals are
        # now a mixture slightly off the real ones; a last pass along the features
        # gives them back exactly.
        self.on_features = _QuantileMap(matched, real)

    def _nearest(self, rows):
        # Not ``KMeans.predict``: it needs rows of the centres' dtype, and the
        # centres come from the float32 training rows, generated rows are float64.
        return pairwise_distances_argmin(rows, self.centres)

    def _within_clusters(self, rows):
        rows = rows.copy()
        assigned = self._nearest(rows)
        for k, passes in self.maps.items():
            mask = assigned == k
            if mask.any():
                rows[mask] = _apply_passes(rows[mask], *passes)
        return rows

    def __call__(self, rows):
        return self.on_features(self._within_clusters(rows))


def _fit_passes(generated, real):
    """``(axes, map along axes, map along features)`` taking ``generated`` onto
    ``real``, and ``generated`` moved along the axes (the features' map's input)."""
    axes = _principal_axes(real)
    on_axes = _QuantileMap(generated @ axes, real @ axes)
    moved = _move_along(generated, axes, on_axes)
    return (axes, on_axes, _QuantileMap(moved, real)), moved


def _apply_passes(rows, axes, on_axes, on_features):
    return on_features(_move_along(rows, axes, on_axes))


class _QuantileMap:
    """Column by column, the monotone map from the marginals of ``source`` to those
    of ``target``."""

    def __init__(self, source, target):
        self.source = _quantiles(source)
        self.target = _quantiles(target)

    def __call__(self, values):
        source_levels = np.linspace(0, 1, len(self.source))
        target_levels = np.linspace(0, 1, len(self.target))
        mapped = np.empty_like(values)
        for k in range(values.shape[1]):
            levels = _cdf(values[:, k], self.source[:, k], source_levels)
            mapped[:, k] = np.interp(levels, target_levels, self.target[:, k])
        return mapped


def _principal_axes(rows):
    """Orthonormal principal axes of ``rows`` as columns, the leading ``MAX_AXES``
    at most (fewer for a class of fewer rows than features)."""
    centred = rows - rows.mean(axis=0, dtype=np.float64)
    n_axes = min(len(rows) - 1, rows.shape[1], MAX_AXES)
    if rows.shape[1] <= len(rows):
        # Eigenvectors of the scatter matrix: features^2 work per row, far cheaper
        # than an SVD of many rows, even a randomized one (10 classes of 6,000 x
        # 784: 1.5 s against 9.4 s for 256 randomized components).
        _, vectors = np.linalg.eigh(centred.T @ centred)
        axes = vectors[:, ::-1][:, :n_axes]
    else:
        _, _, components = np.linalg.svd(centred, full_matrices=False)
        axes = components[:n_axes].T
    # C order, as unpickling gives: the same memory layout takes the same BLAS path,
    # so a restored sampler draws bit-identical rows.
    return np.ascontiguousarray(axes)


def _move_along(rows, axes, score_map):
    """Move ``rows`` by the change ``score_map`` makes to their scores on ``axes``;
    what lies outside the axes' span stays as it was."""
    scores = rows @ axes
    return rows + (score_map(scores) - scores) @ axes.T


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


# Fixed-point iterations that fit the logit offsets of CategoryMatcher; each
# multiplies a slot's odds by its real-to-generated frequency ratio, and 30 bring
# the frequencies within a fraction of a point of the real ones.
CATEGORY_ITERATIONS = 30
# Rounds of correction for the levels rejection sampling keeps at different rates:
# each sees the last one's effect (3 took a 3-level column from 5 points off to
# within 1 on a test table).
CORRECTION_ROUNDS = 3
# Frequency floor of a level a class never had: its offset makes it all but
# impossible without an infinite logit.
MIN_FREQUENCY = 1e-6


class CategoryMatcher:
    """The categorical counterpart of :class:`MarginalMatcher`.

    The generator gives each one-hot block (a categorical column, or a numeric
    column's missing indicator) logits; a row's level is drawn from their softmax.
    Fitted on real one-hot rows and on the generator's logits, each class gets an
    offset per slot such that, over the generator's rows of that class, the
    softmax probabilities of ``logits + offset`` average to the class's real
    frequencies. The offsets shift all rows alike, so which rows get which level
    stays the generator's choice; only the totals are corrected. Classes with
    fewer than ``MIN_ROWS`` real rows keep the generator's own probabilities.
    """

    def fit(self, real, real_codes, blocks, generate):
        """``real``: one-hot rows (blocks only, ``blocks`` relative to them);
        ``generate(codes, n)``: ``n`` rows of the generator's logits."""
        self.blocks_ = [tuple(block) for block in blocks]
        self.offsets_, self.targets_ = {}, {}
        groups = [None] if real_codes is None else np.unique(real_codes)
        n = _reference_rows(real.shape[1])
        for code in groups:
            rows = real if code is None else real[real_codes == code]
            if len(rows) < MIN_ROWS:
                continue
            logits = generate(None if code is None else np.full(n, code), n)
            offsets = np.zeros(real.shape[1])
            target = np.maximum(rows.mean(axis=0), MIN_FREQUENCY)
            for start, stop in self.blocks_:
                block = logits[:, start:stop]
                for _ in range(CATEGORY_ITERATIONS):
                    frequency = _softmax(block + offsets[start:stop]).mean(axis=0)
                    offsets[start:stop] += np.log(target[start:stop] / frequency)
            self.offsets_[code], self.targets_[code] = offsets, target
        return self

    def __getstate__(self):
        return _pairs(self.__dict__, ("offsets_", "targets_"))

    def __setstate__(self, state):
        self.__dict__.update(_dicts(state, ("offsets_", "targets_")))

    def correct(self, sample, n_rows=REFERENCE_ROWS // 2, rounds=CORRECTION_ROUNDS):
        """Adjust the offsets from the levels of rows that went through a later
        step, ``sample(codes, n)`` (one-hot rows): rejection sampling keeps levels
        at different rates, which would move the frequencies off again."""
        for _ in range(rounds):
            for code, offsets in self.offsets_.items():
                rows = sample(None if code is None else np.full(n_rows, code), n_rows)
                frequency = np.maximum(rows.mean(axis=0), 1 / n_rows)
                offsets += np.log(self.targets_[code] / frequency)
        return self

    def sample(self, logits, codes, rng):
        """One-hot rows: a level per block drawn from the offset softmax (Gumbel-max)."""
        logits = logits.copy()
        for code, offsets in self.offsets_.items():
            mask = slice(None) if code is None else codes == code
            logits[mask] += offsets
        return sample_blocks(logits, self.blocks_, rng)


def sample_blocks(logits, blocks, rng):
    """One-hot rows with a level per block drawn from the softmax of its logits."""
    gumbel = -np.log(-np.log(rng.uniform(1e-12, 1.0, size=logits.shape)))
    onehot = np.zeros_like(logits)
    rows = np.arange(len(logits))
    for start, stop in blocks:
        onehot[rows, start + np.argmax(logits[:, start:stop] + gumbel[:, start:stop], axis=1)] = 1
    return onehot


def _reference_rows(values_per_row):
    """Generated rows per class that estimate the generator's distributions:
    ``REFERENCE_ROWS``, fewer (down to ``MIN_REFERENCE_ROWS``) for wide rows."""
    return max(MIN_REFERENCE_ROWS, min(REFERENCE_ROWS, MAX_REFERENCE_VALUES // values_per_row))


def _softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _pairs(state, names):
    """``state`` with the dicts ``names`` as lists of (key, value) pairs: their keys
    are label codes or None (unconditional), and a key None cannot be saved as a
    dict key by skops.io."""
    state = dict(state)
    for name in names:
        if isinstance(state.get(name), dict):
            state[name] = list(state[name].items())
    return state


def _dicts(state, names):
    """The inverse of ``_pairs``."""
    state = dict(state)
    for name in names:
        if isinstance(state.get(name), list):
            state[name] = dict(state[name])
    return state
