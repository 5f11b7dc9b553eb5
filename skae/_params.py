"""Declarative validation of estimator parameters.

Each estimator lists its constraints in ``_param_rules``; ``fit`` calls
:func:`validate_params` once, before any data is touched, so a bad parameter fails
fast with a message that names it.
"""

from numbers import Integral, Real

import numpy as np


class Interval:
    """A numeric range; ``closed`` is one of "both", "left", "right", "neither"."""

    def __init__(self, kind, low, high, closed="both"):
        self.kind = kind
        self.low = low
        self.high = high
        self.closed = closed

    def is_satisfied_by(self, value):
        if isinstance(value, bool) or not isinstance(value, self.kind):
            return False
        if isinstance(value, Real) and np.isnan(value):
            return False
        low_ok = self.low is None or (
            value >= self.low if self.closed in ("both", "left") else value > self.low
        )
        high_ok = self.high is None or (
            value <= self.high if self.closed in ("both", "right") else value < self.high
        )
        return low_ok and high_ok

    def __str__(self):
        kind = "an int" if self.kind is Integral else "a float"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        return f"{kind} in the range {left}{low}, {high}{right}"


class Options:
    """One of a fixed set of values."""

    def __init__(self, *values):
        self.values = values

    def is_satisfied_by(self, value):
        return isinstance(value, (str, bool, type(None))) and value in self.values

    def __str__(self):
        return "one of " + ", ".join(repr(v) for v in self.values)


class Boolean:
    def is_satisfied_by(self, value):
        return isinstance(value, (bool, np.bool_))

    def __str__(self):
        return "a bool"


class IntTuple:
    """A tuple or list of positive ints, e.g. hidden layer widths; of ``length``
    entries when given (e.g. an image's channels, height and width)."""

    def __init__(self, length=None):
        self.length = length

    def is_satisfied_by(self, value):
        return (
            isinstance(value, (tuple, list))
            and (self.length is None or len(value) == self.length)
            and all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in value)
        )

    def __str__(self):
        if self.length is not None:
            return f"a tuple of {self.length} positive ints"
        return "a tuple of positive ints"


class Anything:
    """A constraint checked elsewhere (e.g. random_state by check_random_state)."""

    def __init__(self, description):
        self.description = description

    def is_satisfied_by(self, value):
        return True

    def __str__(self):
        return self.description


def validate_params(estimator):
    """Raise ValueError naming the first parameter that violates its constraints."""
    params = estimator.get_params(deep=False)
    for name, constraints in estimator._param_rules.items():
        value = params[name]
        if not any(c.is_satisfied_by(value) for c in constraints):
            allowed = " or ".join(str(c) for c in constraints)
            raise ValueError(
                f"The '{name}' parameter of {type(estimator).__name__} must be "
                f"{allowed}. Got {value!r} instead."
            )
