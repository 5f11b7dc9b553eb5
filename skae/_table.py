"""The table codec: one reversible map between the tables users bring and the
numeric matrix every skae model trains on.

Users bring NumPy arrays, NumPy object arrays and pandas DataFrames with strings,
categories, booleans and gaps. :class:`TableCodec` reads each column's kind from its
dtype (or, in an object array, from its values) and lays the model matrix out as

    [numeric columns, in table order] [one-hot block per categorical column] ...
    ... [two-slot block (observed, missing) per numeric column that had gaps]

so that the numeric part is one contiguous slice (marginal matching works on it)
and every softmax block is a contiguous run of columns (losses and the generator's
output work block by block). ``inverse_transform`` gives back the same kind of
table: the same columns, dtypes, category sets and category order, integers as
integers, NaN where the model says missing.

A numeric array without gaps near unit scale passes through untouched (no copy),
so plain arrays and memory-mapped files cost nothing. Numeric values far from unit
scale are first brought near it by an exact power of two (and centred where their
mean dwarfs their spread), in float64 before the float32 cast: the networks'
initialisations and learning rates assume unit scale, float32 holds neither 1e39
nor the spread of 1.6e9 +- 1e3, and scikit-learn's quantile map swallows columns
whose whole range is below 1e-7.
"""

import warnings
from dataclasses import dataclass
from numbers import Number

import numpy as np
from scipy import sparse
from sklearn.preprocessing import QuantileTransformer, StandardScaler
from sklearn.utils.validation import check_array

from ._data import backed_by_memmap
from ._warn import warn

# One-hot slots per categorical column. Rarer levels share the last slot, which
# decodes to one of them by frequency: a 10,000-level column then costs 100
# columns, not 10,000 (one-hot of every level is a known complaint against SDV).
MAX_LEVELS = 100
# Rows a quantile map is fitted on at most (sklearn's default subsample).
QUANTILE_SUBSAMPLE = 100_000
# A sparse table is densified (the networks train on dense rows) in blocks of this
# many rows, and only when the dense array takes at most MAX_DENSE_BYTES.
DENSIFY_ROWS = 10_000
MAX_DENSE_BYTES = 4 * 2**30
# Numeric values whose spread lies within [1 / UNIT_BAND, UNIT_BAND] are left as
# they are; others are divided by the power of two nearest their spread. A column
# whose mean exceeds OFFSET_RATIO times the spread is centred as well.
UNIT_BAND = 16.0
OFFSET_RATIO = 1024.0
# Rows the scale of the numeric columns is estimated on (evenly spaced).
SCALE_SAMPLE_ROWS = 10_000
# A numeric table whose widest column has this many times the median column's
# spread is reconstructed mostly for that column (as by PCA): worth a warning.
SCALE_WARNING_RATIO = 1e3
FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass
class Block:
    """A run of one-hot slots in the model matrix: a categorical column's levels, or
    a numeric column's (observed, missing) indicator."""

    start: int
    stop: int
    column: int  # position of the column in the table
    kind: str  # "categorical" or "missing"
    levels: "_Categorical | None" = None  # a categorical column's levels and slots
    numeric: int | None = None  # a missing indicator's column in the numeric part


class _Categorical:
    """The levels of one categorical column and their one-hot slots: the most
    frequent ``max_levels - 1`` levels (all, when there are few) each have one, the
    rest share one, and gaps have one if the column had any in fit."""

    def __init__(self, name, values, dtype, max_levels):
        self.name = name
        gaps = _is_missing(values)
        if hasattr(dtype, "categories"):  # pandas category: keep its set and order
            self.levels = np.empty(len(dtype.categories), dtype=object)
            self.levels[:] = list(dtype.categories)
        else:
            self.levels = _sorted_levels(values[~gaps])
        self._index = {level: i for i, level in enumerate(self.levels.tolist())}
        codes = self._codes(values, gaps)
        counts = np.bincount(codes[codes >= 0], minlength=len(self.levels))
        self.other = self.other_p = None
        kept = np.arange(len(self.levels))
        if len(self.levels) > max_levels:
            by_count = np.argsort(-counts, kind="stable")
            kept, self.other = np.sort(by_count[: max_levels - 1]), by_count[max_levels - 1 :]
            weights = counts[self.other] + (counts[self.other].sum() == 0)
            self.other_p = weights / weights.sum()
        self.kept = kept
        # Slot of every level: its own, or the shared one right after the kept ones.
        self.slot_of_level = np.full(len(self.levels), len(kept), dtype=np.int64)
        self.slot_of_level[kept] = np.arange(len(kept))
        self.has_missing = bool(gaps.any())
        self.width = len(kept) + (self.other is not None) + self.has_missing
        self.missing_slot = self.width - 1 if self.has_missing else None

    def __getstate__(self):
        # The level index is rebuilt on loading: skops.io would save its keys (the
        # levels: strings, numbers, booleans) as text.
        state = dict(self.__dict__)
        del state["_index"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._index = {level: i for i, level in enumerate(self.levels.tolist())}

    def _codes(self, values, gaps):
        """Index of each value in ``levels``; -1 for a gap, -2 for an unseen level."""
        codes = np.full(len(values), -1, dtype=np.int64)
        present = np.flatnonzero(~gaps)
        codes[present] = [self._index.get(v, -2) for v in values[present].tolist()]
        return codes

    def encode(self, values, out):
        """Write the one-hot block of ``values`` into ``out`` (zeros, n x width);
        return which values are of a kind not seen in fit (a level not among the
        levels, or a gap in a column that had none)."""
        gaps = _is_missing(values)
        codes = self._codes(values, gaps)
        unseen = codes == -2
        if unseen.any():
            examples = sorted({str(v) for v in values[unseen].tolist()})[:5]
            warn(
                f"Column {self.name!r} holds {unseen.sum()} value(s) not seen in fit "
                f"(e.g. {', '.join(examples)}); they are encoded as all zeros, as "
                "OneHotEncoder(handle_unknown='ignore') does.",
            )
        rows = np.flatnonzero(codes >= 0)
        out[rows, self.slot_of_level[codes[rows]]] = 1.0
        if self.has_missing:  # gaps in a column that had none in fit stay all zeros
            out[gaps, self.missing_slot] = 1.0
        return unseen | (gaps & (not self.has_missing))

    def decode(self, block, rng):
        """Level codes of the largest slot of each row (-1: a gap)."""
        slots = block.argmax(axis=1)
        codes = np.full(len(slots), -1, dtype=np.int64)
        own = slots < len(self.kept)
        codes[own] = self.kept[slots[own]]
        if self.other is not None:
            shared = slots == len(self.kept)
            if rng is None:  # deterministic: the most frequent of the rare levels
                codes[shared] = self.other[np.argmax(self.other_p)]
            else:
                codes[shared] = rng.choice(self.other, size=shared.sum(), p=self.other_p)
        return codes

    def values(self, codes):
        """The levels of ``codes`` as an object array, NaN for gaps."""
        values = np.full(len(codes), np.nan, dtype=object)
        values[codes >= 0] = self.levels[codes[codes >= 0]]
        return values

    def code(self, value):
        """The code of ``value`` (a level, or a gap marker: -1), or a clear error."""
        if _missing_scalar(value):
            if not self.has_missing:
                raise ValueError(f"Column {self.name!r} had no missing values in fit.")
            return -1
        try:
            return self._index[value]
        except (KeyError, TypeError):
            shown = ", ".join(repr(v) for v in self.levels.tolist()[:20])
            more = " ..." if len(self.levels) > 20 else ""
            raise ValueError(
                f"{value!r} is not a level of column {self.name!r} seen in fit; its levels "
                f"are {shown}{more}."
            ) from None

    def slot(self, value):
        """The one-hot slot that holds ``value``."""
        code = self.code(value)
        return self.missing_slot if code < 0 else int(self.slot_of_level[code])


class TableCodec:
    """Reversible map from a table (array, object array or DataFrame) to a float
    model matrix, and back.

    Parameters
    ----------
    scaling : {"none", "auto", "standard", "quantile"}, default="none"
        How numeric columns are scaled. "none" keeps the values as given (binary
        cross-entropy needs them in [0, 1]). "auto" standardises them when the
        table has categorical columns or gaps (so that squared errors and
        cross-entropies weigh alike); an all-numeric, complete table keeps its
        columns' relative scales, as PCA does, and is only brought near unit
        scale as a whole (see the module's docstring). "quantile" maps each
        column to a standard normal.
    bounded : bool, default=False
        Decoded numeric values are clipped to the range seen in fit and columns
        that held only integers are rounded (a sampler's rows should look like the
        data). Integer dtypes are rounded in any case.
    max_levels : int, default=MAX_LEVELS
        One-hot slots per categorical column at most.

    Attributes
    ----------
    blocks_ : list of Block
        The one-hot blocks, after the ``n_numeric_`` numeric columns.
    n_outputs_ : int
        Width of the model matrix.
    passthrough_ : bool
        Whether the table is a complete numeric array used as given.
    """

    def __init__(self, scaling="none", *, bounded=False, max_levels=MAX_LEVELS):
        self.scaling = scaling
        self.bounded = bounded
        self.max_levels = max_levels

    def fit(self, X, rng=None):
        self.fit_transform(X, rng=rng)
        return self

    def fit_transform(self, X, rng=None):
        """Learn the columns of ``X`` and return its model matrix.

        ``rng`` (a NumPy Generator, for samplers) spreads integer-valued columns
        uniformly over ``[v - 0.5, v + 0.5)`` before a quantile map, so that tied
        values (the many zero pixels of an image) fill their share of the normal
        instead of piling onto one point, and fills gaps in numeric columns with
        draws of the column's observed values rather than its mean.
        """
        self.frame_ = frame_spec(X)
        self.object_input_ = self.frame_ is None and _is_object_array(X)
        self.sparse_input_ = sparse.issparse(X)
        if _is_numeric_input(X, self.frame_):
            numeric, columns = _check_numeric(X), None
            kinds = ["numeric"] * numeric.shape[1]
            names = self.frame_[0] if self.frame_ else list(range(numeric.shape[1]))
        else:
            columns = _columns(X, self.frame_)
            names = self.frame_[0] if self.frame_ else list(range(len(columns)))
            kinds = [
                _column_kind(name, values, dtype)
                for name, (values, dtype) in zip(names, columns, strict=True)
            ]
            numeric = _numeric_matrix(columns, kinds, names)
        self.float_dtype_ = numeric.dtype if numeric.dtype.kind == "f" else np.dtype(np.float64)
        sums = np.sum(numeric, axis=0, dtype=np.float64)
        self.passthrough_ = (
            columns is None and self.scaling in ("none", "auto") and not np.isnan(sums).any()
        )
        self.kinds_, self.names_ = kinds, names
        self.scaler_ = None
        if self.passthrough_:
            self._fit_layout(np.zeros(numeric.shape[1], dtype=bool), [])
            self._fit_unit_scale(
                numeric, per_column=False, enabled=self.scaling == "auto", warn=True
            )
            # Means in model space, for gaps that appear only after fit.
            self.fill_ = self._to_unit(sums / max(1, numeric.shape[0]))
            if self.bounded:
                self._fit_ranges(numeric)
            return self._passthrough(numeric)
        categoricals = [
            _Categorical(names[j], *columns[j], self.max_levels)
            for j, kind in enumerate(kinds)
            if kind == "categorical"
        ]
        gaps = np.isnan(numeric)
        empty = gaps.all(axis=0) if numeric.shape[0] else np.zeros(numeric.shape[1], bool)
        if empty.any():
            name = names[self.numeric_columns(kinds)[int(np.flatnonzero(empty)[0])]]
            raise ValueError(
                f"Column {name!r} has no values (all missing); drop it before fitting."
            )
        self._fit_layout(gaps.any(axis=0), categoricals)
        self._fit_ranges(numeric)
        spread = self._spread(numeric, rng)
        self._fit_scaler(numeric, spread)
        return self._encode(numeric, columns, rng, spread=spread)[0]

    @staticmethod
    def numeric_columns(kinds):
        return [j for j, kind in enumerate(kinds) if kind == "numeric"]

    def _fit_layout(self, numeric_gaps, categoricals):
        """The blocks after the numeric columns: ``categoricals`` (the categorical
        columns' levels, in table order), then an indicator per numeric column
        with gaps."""
        self.numeric_columns_ = self.numeric_columns(self.kinds_)
        self.n_numeric_ = len(self.numeric_columns_)
        self.n_columns_ = len(self.kinds_)
        blocks, start = [], self.n_numeric_
        positions = [j for j, kind in enumerate(self.kinds_) if kind == "categorical"]
        for j, levels in zip(positions, categoricals, strict=True):
            blocks.append(Block(start, start + levels.width, j, "categorical", levels=levels))
            start += levels.width
        for i, j in enumerate(self.numeric_columns_):
            if numeric_gaps[i]:
                blocks.append(Block(start, start + 2, j, "missing", numeric=i))
                start += 2
        self.blocks_ = blocks
        self.n_outputs_ = start

    def _fit_ranges(self, numeric):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # empty columns refused above
            self.min_ = np.nanmin(numeric, axis=0)
            self.max_ = np.nanmax(numeric, axis=0)
        observed = np.where(np.isnan(numeric), 0, numeric)
        self.integer_ = np.all(observed == np.round(observed), axis=0)

    def _fit_scaler(self, numeric, spread):
        scaling = self.scaling
        if scaling == "auto":
            scaling = "standard" if self.blocks_ else "unit"
        self.scaler_ = None
        self._fit_unit_scale(
            spread, per_column=scaling in ("standard", "quantile"), enabled=scaling != "none"
        )
        if not self.n_numeric_:
            scaling = "none"
        if scaling == "quantile":
            self.scaler_ = QuantileTransformer(
                output_distribution="normal",
                n_quantiles=min(1000, numeric.shape[0]),
                subsample=QUANTILE_SUBSAMPLE,
                random_state=0,
            ).fit(self._to_unit(spread))
        elif scaling == "standard":
            self.scaler_ = StandardScaler().fit(self._to_unit(numeric))
        # Without an rng a gap is filled with the column's mean in model space: 0
        # once scaled (a quantile map's median), the mean itself otherwise.
        if self.scaler_ is not None:
            self.fill_ = np.zeros(numeric.shape[1])
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            self.fill_ = self._to_unit(np.nanmean(numeric, axis=0))

    def _fit_unit_scale(self, numeric, *, per_column, enabled=True, warn=False):
        """Learn ``shift_`` and ``scale_`` (None: values left as they are) that bring
        the numeric columns near unit scale.

        ``per_column`` (before a scaler): each column by its own power of two, which
        leaves a quantile map or a standardisation exactly as it was, except where
        their absolute thresholds would have swallowed a tiny column. Otherwise
        one power of two for the whole table, which keeps the columns' relative
        weights (as PCA does), and centring where a mean dwarfs the spread.
        """
        self.shift_ = self.scale_ = None
        if not enabled or not numeric.shape[1]:
            return
        step = max(1, numeric.shape[0] // SCALE_SAMPLE_ROWS)
        sample = np.asarray(numeric[::step], dtype=np.float64)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # all-gap columns are refused
            # Divided by the largest magnitude first, so that 1e200 does not overflow.
            peak = np.nanmax(np.abs(sample), axis=0)
            peak = np.where(np.isfinite(peak) & (peak > 0), peak, 1.0)
            mean = np.nanmean(sample / peak, axis=0) * peak
            std = np.nanstd(sample / peak, axis=0) * peak
        mean, std = np.nan_to_num(mean), np.nan_to_num(std)
        if per_column:
            spread = std
        else:
            # The root mean square of the columns' spreads, scaled by the largest
            # (0 for a table of constant columns).
            top = std.max()
            rms = top * np.sqrt(np.mean((std / top) ** 2)) if top > 0 else 0.0
            spread = np.full_like(std, rms)
            if warn:
                self._warn_on_scales(std)
        scale = np.ones_like(spread)
        outside = (spread > 0) & ((spread < 1 / UNIT_BAND) | (spread > UNIT_BAND))
        scale[outside] = np.exp2(np.round(np.log2(spread[outside])))
        shift = np.where(np.abs(mean) > OFFSET_RATIO * spread, mean, 0.0)
        if not per_column and shift.any():
            self.shift_ = shift
        if (scale != 1).any():
            self.scale_ = scale

    def _warn_on_scales(self, std):
        spread = std[std > 0]
        if spread.size < 2 or spread.max() < SCALE_WARNING_RATIO * np.median(spread):
            return
        widest = self.names_[int(np.argmax(std))]
        warn(
            f"The numeric columns' scales differ widely: column {widest!r} spreads "
            f"{spread.max() / np.median(spread):.2g} times as far as the median column, "
            "so reconstruction errors are mostly its (as PCA's are). Standardise X "
            "(e.g. StandardScaler) if every column should count alike.",
        )

    def _to_unit(self, numeric):
        """``numeric`` in unit scale (float64); the same array when nothing is to do."""
        if self.shift_ is None and self.scale_ is None:
            return numeric
        values = np.asarray(numeric, dtype=np.float64)
        if self.shift_ is not None:
            values = values - self.shift_
        return values / self.scale_ if self.scale_ is not None else values

    def _from_unit(self, values):
        """The inverse of ``_to_unit``."""
        if self.shift_ is None and self.scale_ is None:
            return values
        values = np.asarray(values, dtype=np.float64)
        if self.scale_ is not None:
            values = values * self.scale_
        return values + self.shift_ if self.shift_ is not None else values

    def _passthrough(self, numeric):
        """A complete numeric table's model matrix: as given near unit scale."""
        values = self._to_unit(numeric)
        self._check_float32_range(values)
        if values is not numeric:  # rescaled in float64: back to the input's dtype
            values = values.astype(self.float_dtype_, copy=False)
        return values

    def _check_float32_range(self, values):
        """Refuse model values float32 cannot hold: the networks compute in float32."""
        if values.dtype.kind != "f" or values.dtype == np.float32 or not values.size:
            return
        # fmax/fmin skip gaps (NaN) without a masked copy.
        high, low = np.fmax.reduce(values, axis=0), np.fmin.reduce(values, axis=0)
        beyond = (high > FLOAT32_MAX) | (low < -FLOAT32_MAX)
        if beyond.any():
            name = self.names_[self.numeric_columns_[int(np.flatnonzero(beyond)[0])]]
            raise ValueError(
                f"Column {name!r} holds values beyond float32's range (about 3.4e38) on the "
                "scale learned in fit; the networks compute in float32. Rescale or clip it."
            )

    def _spread(self, numeric, rng):
        """Integer-valued columns spread over ``[v - 0.5, v + 0.5)`` under a quantile
        map, when an rng is given (see ``fit_transform``)."""
        if rng is None or self.scaling != "quantile" or not self.integer_.any():
            return numeric
        numeric = numeric.astype(np.float64, copy=True)
        columns = self.integer_
        numeric[:, columns] += rng.uniform(-0.5, 0.5, (numeric.shape[0], columns.sum()))
        return numeric

    def transform(self, X, rng=None, *, count_unseen=False):
        """The model matrix of ``X``; a passthrough table keeps its dtype (float32
        or float64), anything else is float64. With ``count_unseen``, also the
        number of values in each row of a kind fit never saw (a categorical level
        not among the column's levels, a gap in a column that had none), which the
        model matrix cannot show: the first are encoded as all zeros, the second
        filled with the column's mean."""
        frame = frame_spec(X)
        if _is_numeric_input(X, frame) or (self.passthrough_ and frame is not None):
            numeric, columns = _check_numeric(X), None
        else:
            columns = _columns(X, frame)
            numeric = _numeric_matrix(columns, self.kinds_, self.names_)
        n_categorical = self.n_columns_ - self.n_numeric_
        if numeric.shape[1] != self.n_numeric_ or (columns is None and n_categorical):
            raise ValueError(
                f"X does not have the columns seen in fit: {self.n_columns_} columns, "
                f"{n_categorical} of them categorical."
            )
        if self.passthrough_:
            gaps = np.isnan(numeric) if _has_nan(numeric) else None
            numeric = self._passthrough(numeric)
            if gaps is not None:
                numeric = np.where(gaps, self.fill_, numeric)
            M, unseen = numeric, 0 if gaps is None else gaps.sum(axis=1)
        else:
            M, unseen = self._encode(numeric, columns, rng)
        if count_unseen:
            return M, np.broadcast_to(unseen, (M.shape[0],)).astype(np.int64)
        return M

    def _encode(self, numeric, columns, rng, spread=None):
        """The model matrix, and the number of values of each row of a kind fit
        never saw (see ``transform``)."""
        gaps = np.isnan(numeric)
        values = self._to_unit(self._spread(numeric, rng) if spread is None else spread)
        if self.scaler_ is None:
            # A copy: gaps are filled in place.
            values = values.astype(np.float64, copy=values is numeric)
        else:
            values = self.scaler_.transform(values)
        self._check_float32_range(values)
        for i in np.flatnonzero(gaps.any(axis=0)):
            rows = gaps[:, i]
            observed = values[~rows, i]
            if rng is not None and observed.size:
                values[rows, i] = rng.choice(observed, size=rows.sum())
            else:
                values[rows, i] = self.fill_[i]
        out = np.zeros((numeric.shape[0], self.n_outputs_), dtype=np.float64)
        out[:, : self.n_numeric_] = values
        indicated = np.zeros(self.n_numeric_, dtype=bool)
        unseen = np.zeros(numeric.shape[0], dtype=np.int64)
        for block in self.blocks_:
            view = out[:, block.start : block.stop]
            if block.kind == "categorical":
                unseen += block.levels.encode(columns[block.column][0], view)
            else:
                view[:, 0] = ~gaps[:, block.numeric]
                view[:, 1] = gaps[:, block.numeric]
                indicated[block.numeric] = True
        unseen += gaps[:, ~indicated].sum(axis=1)
        return out, unseen

    def inverse_transform(self, M, rng=None, fixed=None):
        """The table of model rows ``M``.

        Numeric values are unscaled (clipped and rounded when ``bounded``); each
        block is decoded by its largest slot (the shared slot of rare levels
        draws one of them by frequency when ``rng`` is given, else takes the most
        frequent); NaN where a missing slot wins. ``fixed`` maps column positions
        to values written as given (conditions decoding must not blur).
        """
        M = np.asarray(M)
        if self.passthrough_ and not (self.bounded or self.frame_ or self.sparse_input_):
            # A complete numeric array comes back as given, in M's dtype.
            return self._from_unit(M).astype(M.dtype, copy=False)
        numeric = M[:, : self.n_numeric_].astype(np.float64)
        if self.scaler_ is not None:
            numeric = self.scaler_.inverse_transform(numeric)
        numeric = self._from_unit(numeric)
        if self.bounded:
            numeric = np.clip(numeric, self.min_, self.max_)
            numeric[:, self.integer_] = np.round(numeric[:, self.integer_])
        decoded = {}
        for block in self.blocks_:
            view = M[:, block.start : block.stop]
            if block.kind == "categorical":
                decoded[block.column] = (block.levels, block.levels.decode(view, rng))
            else:
                numeric[view[:, 1] > view[:, 0], block.numeric] = np.nan
        for j, value in (fixed or {}).items():
            categorical = decoded[j][0]
            decoded[j] = (categorical, np.full(len(M), categorical.code(value)))
        if self.frame_ is not None:
            return _to_frame(numeric, decoded, self)
        if self.sparse_input_:
            return sparse.csr_matrix(numeric.astype(self.float_dtype_, copy=False))
        if not self.object_input_:
            return numeric.astype(self.float_dtype_, copy=False)
        table = np.empty((len(M), self.n_columns_), dtype=object)
        table[:, self.numeric_columns_] = numeric
        for j, (categorical, codes) in decoded.items():
            table[:, j] = categorical.values(codes)
        return table

    def __getstate__(self):
        # Plain values only (skops.io stores them without pickling): NumPy and
        # pandas dtypes as descriptions.
        state = dict(self.__dict__)
        if state.get("frame_") is not None:
            names, dtypes = state["frame_"]
            state["frame_"] = (list(names), [_dtype_spec(dtype) for dtype in dtypes])
        if "float_dtype_" in state:
            state["float_dtype_"] = np.dtype(state["float_dtype_"]).str
        return state

    def __setstate__(self, state):
        frame = state.get("frame_")
        if frame is not None and frame[1] and isinstance(frame[1][0], dict):
            state["frame_"] = (frame[0], [_dtype_from_spec(spec) for spec in frame[1]])
        if isinstance(state.get("float_dtype_"), str):
            state["float_dtype_"] = np.dtype(state["float_dtype_"])
        self.__dict__.update(state)

    def categorical(self, column):
        """The block of the categorical column at position ``column``."""
        for block in self.blocks_:
            if block.kind == "categorical" and block.column == column:
                return block
        raise ValueError(f"Column {self.names_[column]!r} is not categorical.")

    def observed_slots(self):
        """``(numeric index, column of its observed slot)`` per numeric column with gaps."""
        return [(b.numeric, b.start) for b in self.blocks_ if b.kind == "missing"]


# ------------------------------------------------------------------ helpers
def frame_spec(X):
    """``(column names, dtypes)`` of a DataFrame; None for anything else."""
    if hasattr(X, "dtypes") and hasattr(X, "columns") and hasattr(X, "iloc"):
        return list(X.columns), list(X.dtypes)
    return None


def _dtype_spec(dtype):
    """A column dtype as plain values (see ``_dtype_from_spec``)."""
    if isinstance(dtype, np.dtype):
        return {"numpy": dtype.str}
    if hasattr(dtype, "categories"):
        categories = dtype.categories
        return {
            "categories": categories.tolist(),
            "categories_dtype": str(categories.dtype),
            "ordered": bool(dtype.ordered),
        }
    return {"pandas": str(dtype)}  # nullable integers, floats, booleans, strings


def _dtype_from_spec(spec):
    if "numpy" in spec:
        return np.dtype(spec["numpy"])
    import pandas as pd

    if "categories" in spec:
        categories = pd.Index(spec["categories"], dtype=spec["categories_dtype"])
        return pd.CategoricalDtype(categories, ordered=spec["ordered"])
    return pd.api.types.pandas_dtype(spec["pandas"])


def _is_object_array(X):
    return isinstance(X, np.ndarray) and X.dtype.kind in "OUS"


def _is_numeric_input(X, frame):
    """A numeric (or sparse) array, or a DataFrame of NumPy int and float columns
    only. Lists arrive as arrays: the estimators check ``X`` before the codec."""
    if frame is not None:
        return all(isinstance(d, np.dtype) and d.kind in "iuf" for d in frame[1])
    return not _is_object_array(X)


def _check_numeric(X):
    """sklearn's checks (2-D, non-empty, numeric, no infinity); gaps allowed. A
    sparse matrix is densified (see ``_densify``)."""
    if sparse.issparse(X):
        X = _densify(X)
    # An integer memmap stays on disk: batches are cast to float32 as they are read.
    on_disk = isinstance(X, np.ndarray) and X.dtype.kind in "iu" and backed_by_memmap(X)
    try:
        return check_array(
            X,
            dtype=None if on_disk else [np.float64, np.float32],
            ensure_all_finite="allow-nan",
            ensure_min_samples=1,
        )
    except ValueError as exc:
        if "infinity" not in str(exc):
            raise
        names = list(X.columns) if hasattr(X, "columns") else None
        matrix = np.asarray(X, dtype=np.float64)
        j = int(np.flatnonzero(np.isinf(matrix).any(axis=0))[0])
        name = names[j] if names is not None else j
        raise ValueError(f"Column {name!r} contains infinity; replace it or drop it.") from exc


def _densify(X):
    """A sparse matrix as a dense array, block by block, when it fits the budget.

    The networks train on dense rows, so a sparse table becomes dense once, in its
    own dtype and a block of rows at a time (no float64 copy of the whole on the
    way); a table that would take more than ``MAX_DENSE_BYTES`` is refused with
    a way out rather than exhausting memory.
    """
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    size = X.shape[0] * X.shape[1] * dtype.itemsize
    if size > MAX_DENSE_BYTES:
        raise ValueError(
            f"A sparse X of shape {X.shape} would take {size / 2**30:.1f} GiB as dense "
            f"rows, which the networks train on (at most {MAX_DENSE_BYTES / 2**30:.0f} "
            "GiB); reduce its features first, e.g. with TruncatedSVD."
        )
    X = X.tocsr()
    dense = np.empty(X.shape, dtype=dtype)
    for start in range(0, X.shape[0], DENSIFY_ROWS):
        dense[start : start + DENSIFY_ROWS] = X[start : start + DENSIFY_ROWS].toarray()
    return dense


def _has_nan(matrix):
    # A sum is one fast pass that NaN survives; confirm before paying for a mask.
    return bool(np.isnan(np.sum(matrix, dtype=np.float64)) and np.isnan(matrix).any())


def _columns(X, frame):
    """``[(values, dtype)]`` per column, 1-D arrays (dtype None for arrays)."""
    if frame is not None:
        for axis, what in ((0, "sample"), (1, "feature")):
            if X.shape[axis] < 1:
                raise ValueError(
                    f"Found array with 0 {what}(s) (shape={X.shape}) while a minimum of 1 "
                    "is required."
                )
        return [(_series_values(X.iloc[:, j]), dtype) for j, dtype in enumerate(frame[1])]
    array = check_array(X, dtype=None, ensure_all_finite=False, ensure_min_samples=1)
    array = np.asarray(array, dtype=object)
    return [(array[:, j], None) for j in range(array.shape[1])]


def _series_values(series):
    """A column's values: floats with NaN for numeric dtypes (nullable ones too),
    objects with NaN for gaps otherwise."""
    dtype = series.dtype
    if hasattr(dtype, "categories") or getattr(dtype, "kind", "O") not in "iuf":
        return series.to_numpy(dtype=object, na_value=np.nan)
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _is_extension(dtype):
    return not isinstance(dtype, np.dtype)


def _column_kind(name, values, dtype):
    """``"numeric"`` or ``"categorical"``, or a clear error naming the column."""
    if dtype is not None:
        text = str(dtype)
        if hasattr(dtype, "categories") or getattr(dtype, "kind", None) == "b":
            return "categorical"
        if "datetime" in text or "timedelta" in text or "period" in text:
            raise ValueError(
                f"Column {name!r} holds dates or times ({dtype}), which skae cannot model; "
                "turn them into numbers (e.g. days since a reference date, or year and "
                "month as separate columns) before fitting."
            )
        kind = getattr(dtype, "kind", None) or "O"
        if kind == "c":
            raise ValueError(
                f"Column {name!r} is complex ({dtype}); complex data is not supported."
            )
        if kind in "iuf" and values.dtype != object:
            return "numeric"  # infinity is refused by _numeric_matrix
    present = values[~_is_missing(values)].tolist()
    if not present:
        raise ValueError(f"Column {name!r} has no values (all missing); drop it before fitting.")
    types = {type(v) for v in present}
    is_bool = {t for t in types if issubclass(t, (bool, np.bool_))}
    numbers = {t for t in types if issubclass(t, Number)} - is_bool
    strings = {t for t in types if issubclass(t, (str, bytes))} | is_bool
    others = types - numbers - strings
    if others:
        bad = next(v for v in present if type(v) in others)
        if hasattr(bad, "year") and hasattr(bad, "month"):
            raise ValueError(
                f"Column {name!r} holds dates or times ({type(bad).__name__}), which skae "
                "cannot model; turn them into numbers before fitting."
            )
        # Worded like NumPy's own error, which scikit-learn's checks look for.
        raise TypeError(
            f"Column {name!r} holds a {type(bad).__name__} ({bad!r}): each value's argument "
            "must be a string or a number (a category or a measurement)."
        )
    if numbers and strings:
        number = next(v for v in present if type(v) in numbers)
        string = next(v for v in present if type(v) in strings)
        raise ValueError(
            f"Column {name!r} mixes numbers and strings (e.g. {number!r} and {string!r}); "
            "make it all numbers (a measurement) or all strings (a category) before fitting."
        )
    if numbers:
        if any(issubclass(t, complex) for t in numbers):
            raise ValueError(f"Column {name!r} is complex; complex data is not supported.")
        return "numeric"
    return "categorical"


def _numeric_matrix(columns, kinds, names):
    """The numeric columns as one float64 matrix, NaN for gaps."""
    picked = [j for j, kind in enumerate(kinds) if kind == "numeric"]
    matrix = np.empty((len(columns[0][0]), len(picked)), dtype=np.float64)
    for i, j in enumerate(picked):
        values = columns[j][0]
        if values.dtype == object:
            values = [np.nan if _missing_scalar(v) else v for v in values.tolist()]
        try:
            matrix[:, i] = values
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Column {names[j]!r} was numeric in fit but now holds values that are not "
                f"numbers ({exc})."
            ) from exc
    if np.isinf(matrix).any():
        j = picked[int(np.flatnonzero(np.isinf(matrix).any(axis=0))[0])]
        raise ValueError(f"Column {names[j]!r} contains infinity; replace it or drop it.")
    return matrix


def _missing_scalar(value):
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN (pandas' NA is mapped to NaN on reading)
    except TypeError:
        return False


def _is_missing(values):
    """Gaps (None, NaN) in a 1-D array."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(len(values), dtype=bool)
    return np.fromiter((_missing_scalar(v) for v in values.tolist()), bool, count=len(values))


def _sorted_levels(present):
    """The distinct values of a column, sorted."""
    unique = list(dict.fromkeys(present.tolist()))
    try:
        unique.sort()
    except TypeError:
        unique.sort(key=str)
    levels = np.empty(len(unique), dtype=object)
    levels[:] = unique
    return levels


def _to_frame(numeric, decoded, codec):
    """A DataFrame with the columns and dtypes seen in fit."""
    import pandas as pd

    names, dtypes = codec.frame_
    data = {}
    for i, j in enumerate(codec.numeric_columns_):
        data[names[j]] = _numeric_series(numeric[:, i], dtypes[j])
    for j, (categorical, codes) in decoded.items():
        dtype = dtypes[j]
        if hasattr(dtype, "categories"):
            data[names[j]] = pd.Categorical.from_codes(codes, dtype=dtype)
        elif isinstance(dtype, np.dtype) and dtype.kind == "b" and (codes >= 0).all():
            data[names[j]] = categorical.values(codes).astype(bool)
        elif _is_extension(dtype):  # pandas' string or boolean dtypes: gaps as <NA>
            values = categorical.values(codes)
            values[codes < 0] = None
            data[names[j]] = pd.array(values, dtype=dtype)
        else:  # NumPy object columns stay object (pandas would infer strings)
            data[names[j]] = pd.Series(categorical.values(codes), dtype=dtype)
    return pd.DataFrame({name: data[name] for name in names}, columns=names)


def _numeric_series(values, dtype):
    import pandas as pd

    kind = getattr(dtype, "kind", "f")
    gaps = np.isnan(values)
    if kind in "iu":
        values = np.round(values)
        if not _is_extension(dtype):
            if gaps.any():
                return values  # NumPy integers hold no gaps: float with NaN
            info = np.iinfo(dtype)
            return np.clip(values, info.min, info.max).astype(dtype)
    if _is_extension(dtype):  # nullable Int64 / Float64: gaps as <NA>
        if not gaps.any():
            return pd.array(values, dtype=dtype)
        array = pd.array(np.where(gaps, 0, values), dtype=dtype)
        array[gaps] = pd.NA
        return array
    return values.astype(dtype)
