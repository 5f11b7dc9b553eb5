"""Class labels of a conditional generative model (GANSampler, VariationalAutoencoder):
encoded in ``fit``, checked against the classes seen when asked for in ``sample``."""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d


class ClassLabelsMixin:
    """``classes_``, ``class_prior_`` and label codes for an estimator that sets
    ``_conditional`` (whether ``fit`` got labels)."""

    def _encode_labels(self, y, n_samples, continuing):
        """Label codes (int64) of ``y``; a fresh fit sets ``classes_`` and
        ``class_prior_``, a continued one must see the same classes."""
        y = column_or_1d(y, warn=True)
        if y.shape[0] != n_samples:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {n_samples} and {y.shape[0]}."
            )
        check_classification_targets(y)
        classes, encoded, counts = np.unique(y, return_inverse=True, return_counts=True)
        if continuing:
            if not np.array_equal(classes, self.classes_):
                raise ValueError(f"warm_start fit got classes {classes}, not {self.classes_}.")
        else:
            self.classes_ = classes
            self.class_prior_ = counts / counts.sum()
        return encoded.astype(np.int64)

    def _known_labels(self, y):
        """``y`` as labels of ``classes_``, each equal to a class seen in fit; never
        coerced into one ("catfish" is not "cat", 1.7 is not 1)."""
        if not self._conditional:
            raise ValueError(f"y was given, but the {type(self).__name__} was fitted without y.")
        y = column_or_1d(np.asarray(y), warn=True)
        if y.shape[0] == 0:
            raise ValueError("y is empty: there is nothing to sample.")
        index = {label: code for code, label in enumerate(self.classes_.tolist())}
        codes = np.array([index.get(label, -1) for label in y.tolist()], dtype=np.int64)
        if (codes < 0).any():
            unseen = list(dict.fromkeys(y[codes < 0].tolist()))
            raise ValueError(
                f"Labels {unseen[:10]} were not seen in fit; known labels: "
                f"{self.classes_.tolist()}."
            )
        return self.classes_[codes]
