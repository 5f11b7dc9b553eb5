"""How many rows of each class an over-sampler adds: imbalanced-learn's
``sampling_strategy``, with the same meanings and messages, without depending on it."""

from collections import Counter
from numbers import Real

import numpy as np

SAMPLING_STRATEGIES = ("auto", "minority", "not minority", "not majority", "all")


def rows_to_add(y, sampling_strategy):
    """``{class: rows to generate}``, sorted by class, for labels ``y``.

    ``"minority"`` tops up the smallest class, ``"not minority"`` every class but
    it, ``"not majority"`` (= ``"auto"``) every class but the largest, ``"all"``
    every class, each to the largest class's size; a float (two classes only) is
    the wanted ratio of minority to majority rows; a dict gives each named class's
    wanted number of rows; a callable maps ``y`` to such a dict.
    """
    counts = Counter(y.tolist())
    if len(counts) < 2:
        raise ValueError(
            "Sampler can't balance when only one class is present "
            f"(y holds only {next(iter(counts))!r})."
        )
    majority = max(counts, key=counts.get)
    minority = min(counts, key=counts.get)
    top = counts[majority]
    if callable(sampling_strategy):
        sampling_strategy = sampling_strategy(y)
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in SAMPLING_STRATEGIES:
            raise ValueError(
                f"sampling_strategy must be one of {SAMPLING_STRATEGIES}, a float, a dict "
                f"or a callable; got {sampling_strategy!r}."
            )
        chosen = {
            "minority": [minority],
            "not minority": [c for c in counts if c != minority],
            "not majority": [c for c in counts if c != majority],
            "auto": [c for c in counts if c != majority],
            "all": list(counts),
        }[sampling_strategy]
        wanted = {c: top - counts[c] for c in chosen}
    elif isinstance(sampling_strategy, dict):
        unknown = set(sampling_strategy) - set(counts)
        if unknown:
            raise ValueError(f"The {unknown} target class is/are not present in the data.")
        wanted = {}
        for label, target in sampling_strategy.items():
            if target < counts[label]:
                raise ValueError(
                    "With over-sampling methods, the number of samples in a class should "
                    f"be greater or equal to the original number of samples. Originally, "
                    f"there is {counts[label]} samples and {target} samples are asked."
                )
            wanted[label] = int(target) - counts[label]
    elif isinstance(sampling_strategy, Real) and not isinstance(sampling_strategy, bool):
        if len(counts) != 2:
            raise ValueError(
                "'sampling_strategy' can be a float only when the type of target is binary. "
                "For multi-class, use a dict."
            )
        if not 0 < sampling_strategy <= 1:
            raise ValueError(
                f"When 'sampling_strategy' is a float, it should be in the range (0, 1]. "
                f"Got {sampling_strategy} instead."
            )
        wanted = {c: int(top * sampling_strategy - n) for c, n in counts.items() if c != majority}
        if any(n < 0 for n in wanted.values()):
            raise ValueError(
                "The specified ratio required to remove samples from the minority class "
                "while trying to generate new samples. Please increase the ratio."
            )
    else:
        raise ValueError(
            "sampling_strategy must be a str, a float, a dict or a callable; got "
            f"{type(sampling_strategy).__name__}."
        )
    return dict(sorted(wanted.items(), key=lambda item: _sort_key(item[0])))


def _sort_key(label):
    return (0, label, "") if isinstance(label, (Real, np.number)) else (1, 0, str(label))
