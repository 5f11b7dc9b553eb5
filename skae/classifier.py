"""PretrainedClassifier: learn from unlabeled rows first, a few labels after."""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, clone
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from ._base import (
    COMMON_PARAM_RULES,
    BaseNeuralEstimator,
    common_params_doc,
    fit_transaction,
    output_dtype,
)
from ._modules import ACTIVATIONS, EncoderClassifier
from ._nets import SemiSupervisedNet
from ._params import Anything, Boolean, Interval, IntTuple, Options, validate_params
from ._propagation import propagated_targets
from .autoencoder import AutoencoderTransformer

# Self-training on the teacher's labels is phased in over this share of fine-tuning:
# early on the teacher is no better than chance.
SELF_TRAINING_RAMP = 0.3
# Predictions average the network's with the supervised fit's, the latter with this
# weight times (1 - propagation_share_): where the labeled rows do not trust the
# graph, a network fine-tuned on a few labels can end below the supervised fit
# (5 informative features of 100, 3 labels per class), and half-and-half is
# steadier than either (a weight of 1 loses the network's lead elsewhere).
SUPERVISED_WEIGHT = 0.5

# Parameters handed to the internal AutoencoderTransformer for pretraining.
_PRETRAIN_PARAMS = (
    "encoding_dim",
    "hidden_dims",
    "activation",
    "batch_norm",
    "dropout",
    "noise",
    "init",
    "image_shape",
    "conv_channels",
    "batch_size",
    "lr",
    "optimizer",
    "momentum",
    "nesterov",
    "weight_decay",
    "device",
    "random_state",
    "verbose",
    "clip_grad_norm",
    "accumulation_steps",
    "precision",
    "torch_num_threads",
    "strategy",
)


def _unlabeled_mask(y):
    """Rows marked -1 (scikit-learn's semi-supervised convention), for numeric and
    object label arrays alike."""
    if y.dtype.kind in "iuf":
        return y == -1
    return np.fromiter(
        (isinstance(v, (Integral, np.integer)) and not isinstance(v, bool) and v == -1 for v in y),
        dtype=bool,
        count=len(y),
    )


class PretrainedClassifier(
    ClassNamePrefixFeaturesOutMixin, ClassifierMixin, TransformerMixin, BaseNeuralEstimator
):
    __doc__ = f"""Neural classifier that pretrains its encoder on unlabeled rows.

    ``fit`` first trains an autoencoder on every row it is given, labeled or not
    (rows with ``y == -1`` are unlabeled, as in scikit-learn's
    :class:`~sklearn.semi_supervised.SelfTrainingClassifier`), then fine-tunes its
    encoder with a linear classification head. It is the estimator for "100,000
    rows and 200 labels".

    Fine-tuning learns from the unlabeled rows too (``pseudo_labels=True``):

    - labels are propagated over nearest-neighbour graphs of the rows
      (:class:`~sklearn.semi_supervised.LabelSpreading` averaged over several graph
      sizes, then smoothed by a vote of each row's neighbours) and blended with the
      predictions of a supervised fit on the labeled rows (the mean of a logistic
      regression on the features and one on RBF-kernel similarities to the
      labeled rows, so that the fallback is not bound to linear boundaries); the
      share of propagation in the blend is the one that predicts held-out labeled
      rows best (cross-validation over the labels), so that where the graph
      misleads, the pseudo-labels fall back to the supervised fit. Each unlabeled
      row is trained towards its blended label, weighted by how certain it is;
    - a teacher, the moving average of the network's weights, labels each row seen
      clean; where it is at least ``confidence_threshold`` sure, the network is
      trained to give that label to a noisy, dropped-out version of the row
      (self-training by consistency, as in FixMatch), with a weight of the share
      of propagation: both lean on the same assumption, that rows close together
      share a class;
    - reconstruction of every row keeps the encoder faithful to the data.

    The teacher makes the predictions. Where the labeled rows trust propagation
    less than fully, its class probabilities are averaged with the supervised
    fit's, which weighs ``(1 - propagation_share_) / 2``: where the graph
    misleads, the supervised fit is what the pseudo-labels came from, and the
    average falls back toward it smoothly.

    Parameters
    ----------
    encoding_dim : int, default=32
        Width of the encoder's output, the features the head classifies.

    hidden_dims : tuple of int, default=(256,)
        Hidden widths of the encoder (the decoder mirrors them); with
        ``image_shape``, those after its convolutions.

    activation : {{"auto", "relu", "leaky_relu", "prelu", "elu", "gelu", "tanh", \
"sigmoid"}}, default="auto"
        Hidden-layer activation. ``"auto"`` is ``"relu"``, or ``"gelu"`` with
        ``image_shape`` (convolutional nets reconstruct held-out images better with
        it, MLPs worse).

    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.

    dropout : float, default=0.2
        Dropout rate after each hidden activation.

    noise : float, default=0.15
        Std of Gaussian noise added to inputs while training (both phases).

    init : {{"pca", "random"}}, default="pca"
        Initialisation of the autoencoder (see :class:`AutoencoderTransformer`).

    image_shape : tuple of (int, int, int) or None, default=None
        ``(channels, height, width)`` when each row of ``X`` is an image flattened
        channel first: the pretrained autoencoder, and so the encoder the head
        sits on, is then convolutional (see :class:`AutoencoderTransformer`).
        ``X`` must be a complete numeric array of ``channels * height * width``
        features.

    conv_channels : tuple of int, default=(32, 64)
        With ``image_shape``, the channels of the encoder's strided convolutions,
        one per entry, each halving height and width; the decoder mirrors them.
        Ignored without ``image_shape``.

    pretrain_epochs : int, default=100
        Epochs of autoencoder pretraining on all rows.

    finetune_epochs : int, default=100
        Epochs of fine-tuning; an epoch is one pass over all rows, each step also
        drawing a batch of labeled rows.

    freeze_encoder : bool, default=False
        Keep the pretrained encoder fixed and train only the head.

    autoencoder : AutoencoderTransformer or None, default=None
        An autoencoder whose encoder to reuse. Unfitted, it is fitted on ``X``
        first (its own parameters apply); fitted, pretraining is skipped. None builds
        one from this estimator's parameters.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the cross-entropy, as in scikit-learn.

    reconstruction_weight : float, default=1.0
        Weight of the reconstruction loss during fine-tuning.

    pseudo_labels : bool, default=True
        Learn from unlabeled rows during fine-tuning through propagated labels and
        self-training (see above); False uses them for pretraining and
        reconstruction only.

    confidence_threshold : float, default=0.9
        Least teacher confidence for a row to be self-trained on.

    {
        common_params_doc(
            exclude=("max_epochs",),
            max_epochs=None,
            batch_size=128,
            lr=0.001,
            batch_size_note="; each fine-tuning step also draws up to ``batch_size`` labeled rows",
        )
    }

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels seen among labeled rows.

    autoencoder_ : AutoencoderTransformer
        The pretrained autoencoder (before fine-tuning).

    table_codec_ : object
        The autoencoder's map from the training table (numeric, or mixed with
        categorical columns and gaps) to the model matrix.

    net_ : skorch.NeuralNet
        The fine-tuning net; ``net_.module_`` is the encoder with its head.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    propagation_share_ : float
        Share of label propagation in the pseudo-labels (the rest comes from the
        supervised fit on the labeled rows: linear and RBF-kernel logistic
        regressions, averaged), and weight of self-training:
        chosen from (0, 0.25, 0.5, 0.75, 1) by cross-validation on the labeled rows;
        1 where a class has a single label; 0 with ``pseudo_labels=False``.

    supervised_ : object or None
        The supervised fit on the labeled rows, whose class probabilities weigh
        ``(1 - propagation_share_) / 2`` in the predictions; None where
        ``propagation_share_`` is 1 or with ``pseudo_labels=False``.

    n_iter_ : int
        Fine-tuning epochs run.

    loss_curve_ : list of float
        Fine-tuning loss per epoch.

    validation_scores_ : list of float
        Negative validation loss per epoch; only with ``early_stopping=True``.

    See Also
    --------
    sklearn.semi_supervised.SelfTrainingClassifier : Self-training around any classifier.
    sklearn.semi_supervised.LabelSpreading : Graph-based label propagation.
    AutoencoderTransformer : The autoencoder used for pretraining.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import PretrainedClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> y_semi = y.copy()
    >>> y_semi[np.random.RandomState(0).rand(len(y)) < 0.9] = -1  # 90% unlabeled
    >>> clf = PretrainedClassifier(pretrain_epochs=5, finetune_epochs=5, random_state=0)
    >>> clf.fit(X / 16, y_semi).predict(X[:3] / 16).shape
    (3,)
    >>> clf.classes_
    array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """

    _param_rules = {
        **{k: v for k, v in COMMON_PARAM_RULES.items() if k != "max_epochs"},
        "encoding_dim": [Interval(Integral, 1, None)],
        "hidden_dims": [IntTuple()],
        "activation": [Options("auto", *ACTIVATIONS)],
        "batch_norm": [Boolean()],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "noise": [Interval(Real, 0, None)],
        "init": [Options("pca", "random")],
        "image_shape": [Options(None), IntTuple(length=3)],
        "conv_channels": [IntTuple()],
        "pretrain_epochs": [Interval(Integral, 1, None)],
        "finetune_epochs": [Interval(Integral, 1, None)],
        "freeze_encoder": [Boolean()],
        "autoencoder": [Options(None), Anything("an AutoencoderTransformer")],
        "class_weight": [Options(None, "balanced"), Anything("a dict")],
        "reconstruction_weight": [Interval(Real, 0, None)],
        "pseudo_labels": [Boolean()],
        "confidence_threshold": [Interval(Real, 0, 1, closed="right")],
    }

    def __init__(
        self,
        encoding_dim: int = 32,
        *,
        hidden_dims: tuple = (256,),
        activation: str = "auto",
        batch_norm: bool = False,
        dropout: float = 0.2,
        noise: float = 0.15,
        init: str = "pca",
        image_shape: tuple | None = None,
        conv_channels: tuple = (32, 64),
        pretrain_epochs: int = 100,
        finetune_epochs: int = 100,
        freeze_encoder: bool = False,
        autoencoder: AutoencoderTransformer | None = None,
        class_weight: dict | str | None = None,
        reconstruction_weight: float = 1.0,
        pseudo_labels: bool = True,
        confidence_threshold: float = 0.9,
        batch_size: int = 128,
        lr: float = 1e-3,
        optimizer: str = "adam",
        momentum: float = 0.9,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        callbacks: list | None = None,
        device: str = "auto",
        random_state=None,
        verbose: int | str = "auto",
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        clip_grad_norm: float | None = None,
        accumulation_steps: int = 1,
        warm_start: bool = False,
        precision: str = "32",
        torch_num_threads: int | str | None = "auto",
        strategy: str | None = None,
    ):
        self.encoding_dim = encoding_dim
        self.hidden_dims = hidden_dims
        self.activation = activation
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.noise = noise
        self.init = init
        self.image_shape = image_shape
        self.conv_channels = conv_channels
        self.pretrain_epochs = pretrain_epochs
        self.finetune_epochs = finetune_epochs
        self.freeze_encoder = freeze_encoder
        self.autoencoder = autoencoder
        self.class_weight = class_weight
        self.reconstruction_weight = reconstruction_weight
        self.pseudo_labels = pseudo_labels
        self.confidence_threshold = confidence_threshold
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.clip_grad_norm = clip_grad_norm
        self.accumulation_steps = accumulation_steps
        self.warm_start = warm_start
        self.precision = precision
        self.torch_num_threads = torch_num_threads
        self.strategy = strategy

    @fit_transaction
    def fit(self, X, y):
        """Pretrain on all rows of ``X``, then fine-tune on the labeled ones.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data, labeled and unlabeled rows together: numeric, or a table
            with categorical columns and gaps.

        y : array-like of shape (n_samples,)
            Class labels; ``-1`` marks an unlabeled row.

        Returns
        -------
        self : PretrainedClassifier
            The fitted classifier.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_digits
        >>> from skae import PretrainedClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> X, y = X[:200] / 16, y[:200]
        >>> y_semi = y.copy()
        >>> y_semi[np.random.RandomState(0).rand(len(y)) < 0.8] = -1  # 80% unlabeled
        >>> clf = PretrainedClassifier(pretrain_epochs=2, finetune_epochs=2, random_state=0)
        >>> clf.fit(X, y_semi).classes_
        array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        """
        validate_params(self)
        continuing = self.warm_start and hasattr(self, "net_")
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        X = self._check_table(X, reset=not continuing)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        self._check_fit_size(X.shape[0])
        y_encoded = self._encode_labels(y, continuing)
        if not continuing:
            self.autoencoder_ = self._pretrain(X)
            # The encoder reads the autoencoder's model matrix, so its codec is ours.
            self.table_codec_ = self.autoencoder_.table_codec_
        X = self.table_codec_.transform(X)
        labeled = y_encoded >= 0
        if self.pseudo_labels:
            targets, weights, share, supervised = propagated_targets(
                X, y_encoded, len(self.classes_)
            )
        else:
            targets, weights = np.where(labeled, y_encoded, 0), labeled.astype(np.float32)
            share, supervised = 0.0, None
        # How far the labeled rows trust the graph also sets how far self-training,
        # which leans on the same cluster assumption, is trusted.
        self.propagation_share_ = share
        self.supervised_ = supervised
        # Per row: training class, its weight, and whether it is a true label.
        y_train = np.column_stack([targets, weights, labeled]).astype(np.float32)
        return self._run_training(
            X, y_train, incremental=False, epochs=self.finetune_epochs, strata=y_encoded
        )

    def _encode_labels(self, y, continuing):
        """Class indices for labeled rows, -1 for unlabeled; sets ``classes_``."""
        unlabeled = _unlabeled_mask(y)
        labeled = y[~unlabeled]
        if labeled.dtype.kind in "OUS" and any(
            isinstance(v, (str, bytes)) and v.strip() in ("-1", b"-1")
            for v in set(labeled.tolist())
        ):
            raise ValueError(
                "y holds the string '-1'. Unlabeled rows are marked by the integer -1 (as in "
                "scikit-learn's semi-supervised estimators); a string label cannot mean "
                "that, and as a class it would be learned from. Use -1 in an object array, "
                "e.g. y = np.where(y == '-1', -1, y).astype(object)."
            )
        if labeled.dtype == object:
            # An object array only because of the -1 markers: recover numeric labels.
            inferred = np.asarray(labeled.tolist())
            if inferred.dtype.kind in "biuf":
                labeled = inferred
        if labeled.shape[0] == 0:
            raise ValueError(
                "y has no labeled rows: every row is -1 (unlabeled). PretrainedClassifier "
                "needs at least one labeled row of each of two classes."
            )
        check_classification_targets(labeled)
        classes = np.unique(labeled)
        if continuing:
            if not np.isin(classes, self.classes_).all():
                raise ValueError(
                    f"warm_start fit got classes {classes} not all in classes_ {self.classes_}."
                )
        else:
            if classes.shape[0] < 2:
                raise ValueError(
                    f"PretrainedClassifier needs at least 2 classes among the labeled rows; "
                    f"got 1 class ({classes[0]!r})."
                )
            self.classes_ = classes
        encoded = np.full(y.shape[0], -1, dtype=np.int64)
        encoded[~unlabeled] = np.searchsorted(self.classes_, labeled)
        return encoded

    def _pretrain(self, X):
        """The autoencoder whose encoder is fine-tuned (see ``autoencoder``)."""
        if self.autoencoder is not None:
            if not isinstance(self.autoencoder, AutoencoderTransformer):
                raise TypeError(
                    "autoencoder must be an AutoencoderTransformer (fitted or not) or None; "
                    f"got {type(self.autoencoder).__name__}: its encoder is fine-tuned."
                )
            if hasattr(self.autoencoder, "net_"):
                if self.autoencoder.n_features_in_ != X.shape[1]:
                    raise ValueError(
                        f"The fitted autoencoder expects {self.autoencoder.n_features_in_} "
                        f"features, but X has {X.shape[1]}."
                    )
                return copy.deepcopy(self.autoencoder)
            autoencoder = clone(self.autoencoder)
        else:
            params = {name: getattr(self, name) for name in _PRETRAIN_PARAMS}
            autoencoder = AutoencoderTransformer(max_epochs=self.pretrain_epochs, **params)
        autoencoder._progress_label = f"{type(self).__name__}, pretraining"
        with warnings.catch_warnings():
            # Wide codes are features for the head here, not a reduction.
            warnings.filterwarnings("ignore", message="encoding_dim=.* exceeds")
            return autoencoder.fit(X)

    _progress_label = "PretrainedClassifier, fine-tuning"
    _net_class = SemiSupervisedNet
    _criterion = torch.nn.CrossEntropyLoss

    def _make_module(self, device, *, n_classes, freeze_encoder):
        module = EncoderClassifier(copy.deepcopy(self.autoencoder_.net_.module_), n_classes)
        if freeze_encoder:
            for parameter in module.autoencoder.parameters():
                parameter.requires_grad_(False)
        return module.to(device)

    def _build_net(self, data, device, seed):
        class_weight = None
        if self.class_weight is not None:
            labeled = data.y[data.y[:, 2] > 0, 0].long().cpu().numpy()
            # Keyed by label, as in scikit-learn: {"dog": 3} weighs the class "dog".
            class_weight = compute_class_weight(
                self.class_weight, classes=self.classes_, y=self.classes_[labeled]
            ).astype(np.float32)
        return self._make_net(
            {"n_classes": len(self.classes_), "freeze_encoder": self.freeze_encoder},
            device,
            seed,
            class_weight=class_weight,
            reconstruction_weight=0.0 if self.freeze_encoder else self.reconstruction_weight,
            # Fine-tuning reconstructs with the autoencoder's own loss.
            reconstruction_loss=self.autoencoder_.net_.get_params_for("criterion"),
            noise=self.noise,
            confidence_threshold=self.confidence_threshold if self.pseudo_labels else None,
            ramp_epochs=SELF_TRAINING_RAMP * self.finetune_epochs,
            self_training_weight=self.propagation_share_,
        )

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_digits
        >>> from skae import PretrainedClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> X, y = X[:200] / 16, y[:200]
        >>> y_semi = y.copy()
        >>> y_semi[np.random.RandomState(0).rand(len(y)) < 0.8] = -1  # 80% unlabeled
        >>> clf = PretrainedClassifier(pretrain_epochs=2, finetune_epochs=2, random_state=0)
        >>> clf = clf.fit(X, y_semi)
        >>> proba = clf.predict_proba(X[:3])
        >>> proba.shape
        (3, 10)
        >>> bool(np.allclose(proba.sum(axis=1), 1))
        True
        """
        return self._probabilities(X, log=False)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probability of each class, in the order of ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_digits
        >>> from skae import PretrainedClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> X, y = X[:200] / 16, y[:200]
        >>> y_semi = y.copy()
        >>> y_semi[np.random.RandomState(0).rand(len(y)) < 0.8] = -1  # 80% unlabeled
        >>> clf = PretrainedClassifier(pretrain_epochs=2, finetune_epochs=2, random_state=0)
        >>> clf = clf.fit(X, y_semi)
        >>> log_proba = clf.predict_log_proba(X[:3])
        >>> log_proba.shape
        (3, 10)
        >>> bool((log_proba <= 0).all())
        True
        """
        return self._probabilities(X, log=True)

    def _probabilities(self, X, *, log):
        """The predicted class probabilities for ``X`` (their logs with ``log``):
        the teacher's, averaged with the supervised fit's (see ``SUPERVISED_WEIGHT``)."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        module = self.net_.module_
        supervised = getattr(self, "supervised_", None)  # absent from earlier saves
        # The teacher alone gives its log-probabilities directly (log_softmax).
        normalise = torch.log_softmax if log and supervised is None else torch.softmax
        proba = self._forward_batches(
            lambda batch: normalise(module.teacher_logits(batch), dim=-1), X, np.float64
        )
        if supervised is None:
            return proba
        weight = SUPERVISED_WEIGHT * (1.0 - self.propagation_share_)
        proba = (1.0 - weight) * proba + weight * supervised.predict_proba(X)
        if log:
            with np.errstate(divide="ignore"):  # log(0) = -inf, as log_softmax gives
                return np.log(proba)
        return proba

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, from ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_digits
        >>> from skae import PretrainedClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> X, y = X[:200] / 16, y[:200]
        >>> y_semi = y.copy()
        >>> y_semi[np.random.RandomState(0).rand(len(y)) < 0.8] = -1  # 80% unlabeled
        >>> clf = PretrainedClassifier(pretrain_epochs=2, finetune_epochs=2, random_state=0)
        >>> clf = clf.fit(X, y_semi)
        >>> y_pred = clf.predict(X[:3])
        >>> y_pred.shape
        (3,)
        >>> bool(np.isin(y_pred, clf.classes_).all())
        True
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def transform(self, X):
        """The fine-tuned encoder's features.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        codes : ndarray of shape (n_samples, encoding_dim)
            Outputs of the teacher's encoder (the one behind ``predict``), in the
            dtype of ``X`` (float32 stays float32).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_digits
        >>> from skae import PretrainedClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> X, y = X[:200] / 16, y[:200]
        >>> y_semi = y.copy()
        >>> y_semi[np.random.RandomState(0).rand(len(y)) < 0.8] = -1  # 80% unlabeled
        >>> clf = PretrainedClassifier(pretrain_epochs=2, finetune_epochs=2, random_state=0)
        >>> clf = clf.fit(X, y_semi)
        >>> clf.transform(X[:3]).shape
        (3, 32)
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self._forward_batches(self.net_.module_.teacher_encode, X, output_dtype(X))

    @property
    def _n_features_out(self):
        return self.autoencoder_.encoding_dim

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
