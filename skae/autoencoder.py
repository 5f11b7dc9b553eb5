"""AutoencoderTransformer: nonlinear dimensionality reduction with a PCA-like API."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from ._base import (
    COMMON_PARAM_RULES,
    BaseNeuralEstimator,
    common_params_doc,
    fit_transaction,
    output_dtype,
)
from ._data import backed_by_memmap, float32_rows
from ._losses import ReconstructionLoss, reconstruction_loss_params
from ._modules import ACTIVATIONS, Autoencoder, can_hold_linear, resolve_activation
from ._nets import AutoencoderNet, KeepBetterStart
from ._params import Boolean, Interval, IntTuple, Options, validate_params
from ._table import TableCodec
from ._warn import warn

# Rows used to compute the PCA start: plenty for a stable subspace, cheap on wide
# data.
PCA_INIT_MAX_ROWS = 10_000
# Hidden units that carry the PCA codes are shifted this fraction of the codes'
# training range below their minimum (0 to 0.1 measured alike on digits; 3 worse).
CODE_FLOOR_MARGIN = 0.1
# Targets are clipped to this margin before the logit when the decoder starts from
# PCA under a sigmoid output.
LOGIT_CLIP = 1e-2


class AutoencoderTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralEstimator
):
    __doc__ = f"""Autoencoder for dimensionality reduction, trained with skorch.

    An MLP encoder maps each row to ``encoding_dim`` codes and a mirrored decoder
    maps codes back to the input space. ``transform`` returns the codes,
    ``inverse_transform`` the reconstructions; ``score`` and ``score_samples`` measure
    reconstruction error (higher is better), so the transformer can be grid-searched
    alone and used for anomaly detection.

    ``X`` may be a mixed table (a DataFrame with categorical, boolean and integer
    columns and gaps): numeric columns are then standardised and reconstructed by
    squared error where observed, each categorical column (and each numeric
    column's missing indicator) by cross-entropy, and ``inverse_transform``
    returns the table (see the user guide's page on mixed tables).

    By default (``init="pca"``) training starts from the PCA solution: ``k`` hidden
    units of the encoder carry the projection on the leading ``k`` principal
    components, ``k`` units of the decoder the matching reconstruction, and every
    other unit starts with zero outgoing weights; the nonlinear part then learns what
    PCA misses. The network is the plain MLP, so a step costs what ``init="random"``
    costs.

    Parameters
    ----------
    encoding_dim : int, default=2
        Number of codes (the output dimension of ``transform``).

    hidden_dims : tuple of int, default=(128,)
        Widths of the encoder's hidden layers; the decoder mirrors them. With
        ``image_shape``, the dense layers between the convolutions and the codes.

    activation : {{"auto", "relu", "leaky_relu", "prelu", "elu", "gelu", "tanh", \
"sigmoid"}}, default="auto"
        Hidden-layer activation. ``"auto"`` is ``"relu"``, or ``"gelu"`` with
        ``image_shape`` (convolutional nets reconstruct held-out images better with
        it, MLPs worse).

    output_activation : {{None, "sigmoid"}}, default=None
        Activation of the reconstruction. ``loss="bce"`` implies ``"sigmoid"``.

    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.

    dropout : float, default=0.0
        Dropout rate after each hidden activation.

    loss : {{"mse", "bce"}}, default="mse"
        Reconstruction loss. ``"bce"`` (binary cross-entropy on logits) is for data
        in [0, 1], such as pixel intensities.

    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the inputs during training
        (a denoising autoencoder); the targets stay clean.

    l1_activity : float, default=0.0
        L1 penalty on the codes, for sparse representations.

    l1 : float, default=0.0
        L1 penalty on the weights.

    init : {{"pca", "random"}}, default="pca"
        ``"pca"`` starts the network as PCA (see above; with a smooth
        ``activation``, ``batch_norm``, ``dropout``, or hidden layers narrower than
        ``encoding_dim``, it does so through a linear layer beside each MLP
        instead); ``"random"`` is a plain MLP autoencoder with PyTorch's default
        initialisation.

    image_shape : tuple of (int, int, int) or None, default=None
        ``(channels, height, width)`` when each row of ``X`` is an image flattened
        channel first (``images.reshape(len(images), -1)`` of an array of shape
        ``(n_images, channels, height, width)``). The encoder is then
        convolutional: per entry of ``conv_channels``, a 3x3 convolution of stride
        2 (halving height and width) with that many channels, then the flattened
        feature map through dense layers of ``hidden_dims`` to the codes; the
        decoder mirrors it with transposed convolutions, to the exact height and
        width (odd sizes too). ``X`` stays 2-D and must be a complete numeric array
        of ``channels * height * width`` features. ``init="pca"`` starts through a
        linear layer beside the encoder and the decoder.

    conv_channels : tuple of int, default=(32, 64)
        With ``image_shape``, the channels of the encoder's strided convolutions,
        one per entry, each halving height and width; the decoder mirrors them.
        Ignored without ``image_shape``.

    {common_params_doc(max_epochs=200, batch_size=128, lr=0.001)}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module and
        ``net_.history`` the training history.

    table_codec_ : object
        The reversible map between the training table and the model matrix
        (column kinds, scaling, one-hot blocks); an identity for a complete
        numeric array.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    n_iter_ : int
        Epochs trained so far (they add up under ``warm_start`` and ``partial_fit``).

    loss_curve_ : list of float
        Training loss (penalties included) after each epoch.

    validation_scores_ : list of float
        Negative validation reconstruction loss per epoch; only with
        ``early_stopping=True``.

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart, and the starting point here.
    sklearn.neural_network.MLPRegressor : An MLP that can be fitted on ``X -> X``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoencoderTransformer
    >>> X = load_digits().data / 16
    >>> ae = AutoencoderTransformer(encoding_dim=8, max_epochs=5, random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape
    (1797, 8)
    >>> ae.inverse_transform(codes).shape
    (1797, 64)
    >>> bool(ae.score(X) < 0)
    True

    Each row of digits is an 8x8 image: ``image_shape`` makes the model convolutional.

    >>> conv = AutoencoderTransformer(8, image_shape=(1, 8, 8), max_epochs=3, random_state=0)
    >>> conv.fit_transform(X).shape
    (1797, 8)
    """

    _param_rules = {
        **COMMON_PARAM_RULES,
        "encoding_dim": [Interval(Integral, 1, None)],
        "hidden_dims": [IntTuple()],
        "activation": [Options("auto", *ACTIVATIONS)],
        "output_activation": [Options(None, "sigmoid")],
        "batch_norm": [Boolean()],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "loss": [Options("mse", "bce")],
        "noise": [Interval(Real, 0, None)],
        "l1_activity": [Interval(Real, 0, None)],
        "l1": [Interval(Real, 0, None)],
        "init": [Options("pca", "random")],
        "image_shape": [Options(None), IntTuple(length=3)],
        "conv_channels": [IntTuple()],
    }

    def __init__(
        self,
        encoding_dim: int = 2,
        *,
        hidden_dims: tuple = (128,),
        activation: str = "auto",
        output_activation: str | None = None,
        batch_norm: bool = False,
        dropout: float = 0.0,
        loss: str = "mse",
        noise: float = 0.0,
        l1_activity: float = 0.0,
        l1: float = 0.0,
        init: str = "pca",
        image_shape: tuple | None = None,
        conv_channels: tuple = (32, 64),
        max_epochs: int = 200,
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
        self.output_activation = output_activation
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.loss = loss
        self.noise = noise
        self.l1_activity = l1_activity
        self.l1 = l1
        self.init = init
        self.image_shape = image_shape
        self.conv_channels = conv_channels
        self.max_epochs = max_epochs
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
    def fit(self, X, y=None):
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data: numeric, or a table with categorical columns and gaps.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : AutoencoderTransformer
            The fitted transformer.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderTransformer
        >>> X = load_digits().data[:200] / 16
        >>> ae = AutoencoderTransformer(encoding_dim=4, max_epochs=2, random_state=0).fit(X)
        >>> ae.n_features_in_, ae.n_iter_
        (64, 2)
        """
        return self._fit(X, incremental=False)

    @fit_transaction
    def partial_fit(self, X, y=None):
        """Train for one more pass over ``X``, starting from the current weights.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data: numeric, or a table with categorical columns and gaps.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : AutoencoderTransformer
            The updated transformer.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderTransformer
        >>> X = load_digits().data[:200] / 16
        >>> ae = AutoencoderTransformer(encoding_dim=4, random_state=0)
        >>> ae = ae.partial_fit(X).partial_fit(X)
        >>> ae.n_iter_
        2
        """
        return self._fit(X, incremental=True)

    def _fit(self, X, *, incremental):
        validate_params(self)
        first_call = not hasattr(self, "net_")
        X = self._validate_X(X, reset=first_call or not (incremental or self.warm_start))
        # A memmap (or .npy path) is trained on block by block, never read whole.
        out_of_core = backed_by_memmap(X)
        self._check_image_shape()
        self._check_fit_size(X.shape[0])
        self._check_bce_range(X)
        width = self.table_codec_.n_outputs_
        if self.encoding_dim > width and not self.l1_activity:
            warn(
                f"encoding_dim={self.encoding_dim} exceeds the {width} features: the codes "
                "are overcomplete, and an identity map would reconstruct perfectly (PCA "
                f"refuses more components than features). Use encoding_dim <= {width}, "
                "or set l1_activity for sparse overcomplete codes.",
            )
        epochs = 1 if incremental else self.max_epochs
        return self._run_training(
            X, None, incremental=incremental, epochs=epochs, out_of_core=out_of_core
        )

    def _make_codec(self):
        # Numeric columns are standardised when the table has categorical columns or
        # gaps, so that squared errors and cross-entropies weigh alike; a numeric
        # table is only brought near unit scale (see TableCodec). Binary
        # cross-entropy needs the values as given, in [0, 1].
        return TableCodec("none" if self.loss == "bce" else "auto")

    def _check_bce_range(self, X):
        """``loss="bce"`` is defined for numeric values in [0, 1] only."""
        numeric = X[:, : self.table_codec_.n_numeric_]
        if self.loss == "bce" and numeric.size and (numeric.min() < 0 or numeric.max() > 1):
            raise ValueError(
                f"loss='bce' needs numeric columns in [0, 1]; got values in "
                f"[{numeric.min():.3g}, {numeric.max():.3g}]. Scale X (e.g. MinMaxScaler) "
                "or use loss='mse'."
            )

    _net_class = AutoencoderNet
    _criterion = ReconstructionLoss
    _module_class = Autoencoder

    def _build_net(self, data, device, seed):
        output_activation = "sigmoid" if self.loss == "bce" else self.output_activation
        codec = self.table_codec_
        image_shape = None if self.image_shape is None else tuple(map(int, self.image_shape))
        activation = resolve_activation(self.activation, image_shape)
        module_args = dict(
            n_features=codec.n_outputs_,
            encoding_dim=self.encoding_dim,
            hidden_dims=tuple(self.hidden_dims),
            activation=activation,
            output_activation=output_activation,
            batch_norm=self.batch_norm,
            dropout=self.dropout,
            # The PCA start lives inside the MLPs (in k hidden units each, at no extra
            # cost per step) where the architecture allows; otherwise (and always for
            # convolutions) in linear paths beside them (+23% multiply-adds for
            # 784-256-64).
            linear_path=self.init == "pca"
            and (
                image_shape is not None
                or not can_hold_linear(
                    self.hidden_dims,
                    min(self.encoding_dim, codec.n_outputs_),
                    activation=activation,
                    batch_norm=self.batch_norm,
                    dropout=self.dropout,
                )
            ),
            image_shape=image_shape,
            conv_channels=tuple(map(int, self.conv_channels)),
        )

        def pca_start(module):
            module.init_linear(*self._pca_init(data.X, output_activation, seed))

        return self._make_net(
            module_args,
            device,
            seed,
            init_module=pca_start if self.init == "pca" else None,
            **{
                f"criterion__{name}": value
                for name, value in reconstruction_loss_params(
                    codec, self.loss, output_activation
                ).items()
            },
            noise=self.noise,
            l1_activity=self.l1_activity,
            l1=self.l1,
        )

    def _extra_callbacks(self):
        # Trained for reconstruction alone, the network must improve on its PCA
        # start, or the start is kept; noise and penalties trade reconstruction
        # for other qualities, so there the trained network stays.
        pure = not (self.noise or self.l1 or self.l1_activity or self.dropout)
        return [("keep_better_start", KeepBetterStart())] if self.init == "pca" and pure else []

    def _pca_init(self, X, output_activation, seed):
        """Weights of the linear autoencoder that PCA defines on (a sample of) ``X``.

        Under a sigmoid output the decoder works in logit space, so its linear path is
        the least-squares map from the PCA codes to the clipped logits of ``X``.
        """
        if X.shape[0] > PCA_INIT_MAX_ROWS:
            generator = torch.Generator().manual_seed(seed)
            rows = torch.randperm(X.shape[0], generator=generator)[:PCA_INIT_MAX_ROWS]
            if torch.is_tensor(X):
                X = X[rows.to(X.device)]
            else:  # a memmap: read the sampled rows in file order
                X = X[np.sort(rows.numpy())]
        if not torch.is_tensor(X):
            X = torch.from_numpy(float32_rows(X))
        X = X.float()
        mean = X.mean(0)
        centered = X - mean
        n_components = min(self.encoding_dim, X.shape[1])
        if X.shape[0] >= X.shape[1]:
            # Eigenvectors of the covariance: ~4x faster than an SVD of the rows and
            # without its row-sized workspace; float64 keeps small components accurate.
            covariance = (centered.T @ centered).double()
            _, eigenvectors = torch.linalg.eigh(covariance)
            components = eigenvectors.flip(1)[:, :n_components].T.float().contiguous()
        else:
            # Wide data: a thin SVD of the rows, not the eigh of a features-square
            # covariance (0.03 s against 56 s for 50 x 5,000).
            _, _, vh = torch.linalg.svd(centered.double(), full_matrices=False)
            components = vh[:n_components].float().contiguous()
        codes = centered @ components.T
        # Where the MLPs carry the codes in their own hidden units, those units sit
        # above the codes' floor; the margin keeps new rows a little beyond the
        # training range on the linear side too.
        low, high = codes.min(0).values, codes.max(0).values
        code_floor = low - CODE_FLOOR_MARGIN * (high - low)
        if output_activation is None:
            return components, -components @ mean, components.T, mean, code_floor
        target = torch.logit(X.clamp(LOGIT_CLIP, 1 - LOGIT_CLIP))
        target_mean = target.mean(0)
        dec = torch.linalg.lstsq(codes.cpu(), (target - target_mean).cpu()).solution
        return components, -components @ mean, dec.T.to(X.device), target_mean, code_floor

    def transform(self, X):
        """Encode ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        codes : ndarray of shape (n_samples, encoding_dim)
            The codes, in the dtype of ``X`` (float32 stays float32, anything else
            becomes float64).

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderTransformer
        >>> X = load_digits().data[:200] / 16
        >>> ae = AutoencoderTransformer(encoding_dim=4, max_epochs=2, random_state=0).fit(X)
        >>> ae.transform(X[:5]).shape
        (5, 4)
        >>> ae.transform(X[:5].astype("float32")).dtype
        dtype('float32')
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self._forward_batches(self.net_.module_.encoder, X, output_dtype(X))

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, encoding_dim)
            Codes, e.g. from :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray or DataFrame of shape (n_samples, n_features_in_)
            Reconstructions, in the form ``fit`` got: a DataFrame with its columns
            and dtypes (each category decoded by its most likely level, NaN where
            a gap is more likely than a value), an object array, or a numeric array.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderTransformer
        >>> X = load_digits().data[:200] / 16
        >>> ae = AutoencoderTransformer(encoding_dim=4, max_epochs=2, random_state=0).fit(X)
        >>> codes = ae.transform(X[:5])
        >>> ae.inverse_transform(codes).shape
        (5, 64)
        """
        check_is_fitted(self)
        codes = check_array(X, dtype=[np.float64, np.float32])
        if codes.shape[1] != self.encoding_dim:
            raise ValueError(
                f"inverse_transform expects {self.encoding_dim} codes per row "
                f"(encoding_dim); got {codes.shape[1]}."
            )
        module = self.net_.module_
        reconstructed = self._forward_batches(
            lambda batch: module.activate(module.decoder(batch)), codes, codes.dtype
        )
        return self.table_codec_.inverse_transform(reconstructed)

    def score_samples(self, X):
        """Negative reconstruction loss of each row: higher means more typical.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Minus the mean over features of the reconstruction loss (squared error,
            or binary cross-entropy with ``loss="bce"``).

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderTransformer
        >>> X = load_digits().data[:200] / 16
        >>> ae = AutoencoderTransformer(encoding_dim=4, max_epochs=2, random_state=0).fit(X)
        >>> scores = ae.score_samples(X[:5])
        >>> scores.shape
        (5,)
        >>> bool((scores <= 0).all())
        True
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        self._check_bce_range(X)
        module, loss = self.net_.module_, self.net_.criterion_
        # In float64: the squared error of a far-off row overflows float32.
        return -self._forward_batches(
            lambda batch: loss.rows(module(batch)[0].double(), batch.double()), X, np.float64
        )

    def score(self, X, y=None):
        """Negative mean reconstruction loss on ``X`` (higher is better).

        This lets ``GridSearchCV`` pick ``encoding_dim`` or other parameters for the
        transformer on its own, without labels.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to score.

        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        score : float
            The mean of :meth:`score_samples`.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderTransformer
        >>> X = load_digits().data[:200] / 16
        >>> ae = AutoencoderTransformer(encoding_dim=4, max_epochs=2, random_state=0).fit(X)
        >>> bool(ae.score(X) < 0)
        True
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self):
        # A fitted attribute: before fit there are no output features to name.
        return self.net_.module_.encoding_dim

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
