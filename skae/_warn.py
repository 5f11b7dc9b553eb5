"""Warnings that point at the user's line, however deep inside skae they arise."""

import os
import sys
import warnings

import sklearn
import skorch
import torch

# A user's call reaches a warning through skae and the libraries it trains and
# validates with (a skorch callback, a scikit-learn search): their frames are
# passed over. A fixed stacklevel would be right for one path only; the table
# codec's warnings, say, arise at different depths under each estimator.
_LIBRARY_DIRS = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__package__], skorch, sklearn, torch)
)


def warn(message, category=UserWarning):
    """``warnings.warn`` with the stacklevel of the first frame outside skae,
    skorch, scikit-learn and torch: the warning names the user's file and line."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
        frame, level = frame.f_back, level + 1
    # stacklevel 1 is this function; level k above it is stacklevel k + 1.
    warnings.warn(message, category, stacklevel=level + 1)
