"""VariationalAutoencoder: codes, reconstructions, new rows and a likelihood bound."""

from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from ._base import (
    COMMON_PARAM_RULES,
    BaseNeuralEstimator,
    common_params_doc,
    fit_transaction,
    output_dtype,
)
from ._labels import ClassLabelsMixin
from ._marginals import MarginalMatcher, sample_blocks
from ._modules import ACTIVATIONS, resolve_activation
from ._params import Boolean, Interval, IntTuple, Options, validate_params
from ._progress import Stages
from ._table import TableCodec
from ._variational import MIN_STD, VAE, NegativeELBO, VAENet

# Rows (at most) the starting means and deviations of the columns are computed on.
INIT_MAX_ROWS = 10_000
LOG_STD_LR_FACTOR = 10.0
MATCHING = "matching numeric marginals"


class VariationalAutoencoder(
    ClassLabelsMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralEstimator
):
    __doc__ = f"""Variational autoencoder (VAE), trained with skorch.

    A generative model of the rows of ``X``: a code ``z`` of ``encoding_dim``
    numbers is drawn from a standard normal prior and a decoder maps it to a
    distribution over rows. An encoder learns the approximate posterior
    ``q(z | x)``, a diagonal Gaussian; both are MLPs trained together on the
    evidence lower bound (ELBO) with the reparameterisation trick. So the VAE is at
    once a transformer (``transform`` gives the posterior means,
    ``inverse_transform`` decodes codes), a sampler (``sample`` draws codes from
    the prior and decodes them) and a density model (``score_samples`` is each
    row's ELBO, a lower bound on its log-likelihood).

    Fitted with class labels ``y`` it is a conditional VAE: the decoder also gets
    the one-hot label, so that ``sample(y=labels)`` draws rows of the requested
    classes and the codes keep what the label does not say (the style of a
    digit). The encoder sees ``x`` alone, so that ``transform`` needs no labels.

    **Likelihood.** Each numeric column is Gaussian, with the decoder's output as
    mean and a standard deviation learned per column (at least 0.01), in the
    model's units: as given for a numeric array near unit scale, standardised
    in a table with categorical columns or gaps (see the user guide's page on
    mixed tables). Each categorical column (and each numeric column's missing
    indicator) is categorical, the softmax of the decoder's logits for its
    one-hot block; gaps are left out of the numeric terms. A learned deviation
    weighs reconstruction against the prior as the data warrant, where a fixed
    one leaves that balance to the scale of ``X``.

    **Start.** Training starts from the model of independent columns: the
    decoder's last layer at zero, its bias at each column's mean (each block's
    log-frequencies), each deviation at the column's; the deviations then learn
    at 10 times ``lr``, to keep up with the improving reconstructions (on
    digits, the held-out reconstruction error fell from 0.060 to 0.025 after 50
    epochs against a start at unit deviations).

    Parameters
    ----------
    encoding_dim : int, default=2
        Number of codes (the dimension of the latent space).

    hidden_dims : tuple of int, default=(128,)
        Widths of the encoder's hidden layers; the decoder mirrors them. One
        layer of 128 gave a higher held-out ELBO than (256, 128) on digits and
        on breast cancer. With ``image_shape``, the dense layers between the
        convolutions and the codes.

    activation : {{"auto", "relu", "leaky_relu", "prelu", "elu", "gelu", "tanh", \
"sigmoid"}}, default="auto"
        Hidden-layer activation. ``"auto"`` is ``"relu"``, or ``"gelu"`` with
        ``image_shape`` (convolutional nets reconstruct held-out images better with
        it, MLPs worse).

    batch_norm : bool, default=False
        Batch normalisation after each hidden linear layer.

    dropout : float, default=0.0
        Dropout rate after each hidden activation.

    beta : float, default=1.0
        Weight of the KL term of the training loss (a beta-VAE): above 1 pulls
        the posteriors towards the prior (smoother, more disentangled codes,
        blurrier reconstructions), below 1 favours reconstruction.
        ``score_samples`` reports the ELBO (``beta=1``) whatever the training
        weight.

    kl_warmup : int, default=0
        Epochs over which the KL weight rises linearly from 0 to ``beta``
        (0: full weight from the start), so that the decoder learns to use the
        codes before the prior pulls them together. Training starts from the
        model of independent columns (below), and a warm-up of 10 epochs did not
        raise the held-out ELBO on digits or breast cancer.

    match_marginals : bool, default=False
        After training, fit GANSampler's marginal matching to the VAE's samples
        (see :class:`GANSampler`): ``sample`` then maps the numeric columns of
        each class's decoded rows onto that class's real distribution along its
        principal axes and features. Decoded means are smoother than real rows:
        on digits (8 codes) matching took the two-sample AUC of the samples
        against held-out digits from 0.99 to 0.68 (GANSampler: 0.63), for a fit
        about four times as long (35 s against 8 s on 2 busy cores).
        It changes ``sample`` only; codes, reconstructions and scores are the
        VAE's own.

    image_shape : tuple of (int, int, int) or None, default=None
        ``(channels, height, width)`` when each row of ``X`` is an image flattened
        channel first: the encoder and decoder are then convolutional, as in
        :class:`AutoencoderTransformer` (see its ``image_shape``). ``X`` must be a
        complete numeric array of ``channels * height * width`` features.

    conv_channels : tuple of int, default=(32, 64)
        With ``image_shape``, the channels of the encoder's strided convolutions,
        one per entry, each halving height and width; the decoder mirrors them.
        Ignored without ``image_shape``.

    {common_params_doc(max_epochs=200, batch_size=128, lr=0.001)}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module (``encoder``,
        ``decoder`` and the numeric columns' ``log_std``) and ``net_.history`` the
        training history.

    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``; only when fitted with ``y``.

    class_prior_ : ndarray of shape (n_classes,)
        Class frequencies in ``fit``; only when fitted with ``y``.

    marginal_matcher_ : object or None
        The per-class maps of ``match_marginals``; None without it or without
        numeric columns.

    table_codec_ : object
        The reversible map between the training table and the model matrix.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    n_iter_ : int
        Epochs trained so far (they add up under ``warm_start``).

    loss_curve_ : list of float
        Training loss (the negative ELBO with the KL weight of each step) after
        each epoch.

    validation_scores_ : list of float
        Mean validation ELBO per epoch; only with ``early_stopping=True``.

    See Also
    --------
    AutoencoderTransformer : A deterministic autoencoder; codes without a prior.
    GANSampler : An adversarial sampler of new rows.
    sklearn.mixture.GaussianMixture : A classical density model that samples.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VariationalAutoencoder
    >>> X, y = load_digits(return_X_y=True)
    >>> X, y = X[:500] / 16, y[:500]
    >>> vae = VariationalAutoencoder(encoding_dim=8, max_epochs=5, random_state=0)
    >>> codes = vae.fit_transform(X)
    >>> codes.shape
    (500, 8)
    >>> vae.sample(3).shape
    (3, 64)
    >>> cvae = VariationalAutoencoder(max_epochs=5, random_state=0).fit(X, y)
    >>> X_new, y_new = cvae.sample(y=[7, 7])
    >>> X_new.shape, y_new
    ((2, 64), array([7, 7]))
    """

    _param_rules = {
        **COMMON_PARAM_RULES,
        "encoding_dim": [Interval(Integral, 1, None)],
        "hidden_dims": [IntTuple()],
        "activation": [Options("auto", *ACTIVATIONS)],
        "batch_norm": [Boolean()],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "beta": [Interval(Real, 0, None, closed="neither")],
        "kl_warmup": [Interval(Integral, 0, None)],
        "match_marginals": [Boolean()],
        "image_shape": [Options(None), IntTuple(length=3)],
        "conv_channels": [IntTuple()],
    }

    def __init__(
        self,
        encoding_dim: int = 2,
        *,
        hidden_dims: tuple = (128,),
        activation: str = "auto",
        batch_norm: bool = False,
        dropout: float = 0.0,
        beta: float = 1.0,
        kl_warmup: int = 0,
        match_marginals: bool = False,
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
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.beta = beta
        self.kl_warmup = kl_warmup
        self.match_marginals = match_marginals
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
        """Train the VAE on ``X`` (conditioned on ``y`` if given).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data: numeric, or a table with categorical columns and gaps.

        y : array-like of shape (n_samples,), default=None
            Class labels for a conditional VAE; None learns ``X`` alone.

        Returns
        -------
        self : VariationalAutoencoder
            The fitted model.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import VariationalAutoencoder
        >>> X = load_digits().data[:200] / 16
        >>> vae = VariationalAutoencoder(max_epochs=2, random_state=0).fit(X)
        >>> vae.n_features_in_, vae.n_iter_
        (64, 2)
        """
        validate_params(self)
        continuing = self.warm_start and hasattr(self, "net_")
        Xt = self._validate_X(X, reset=not continuing)
        self._check_image_shape()
        self._check_fit_size(Xt.shape[0])
        y_encoded = None if y is None else self._encode_labels(y, Xt.shape[0], continuing)
        if not continuing:
            self._conditional = y is not None
        elif self._conditional != (y is not None):
            raise ValueError("A warm-started fit must use y exactly when the first fit did.")
        self._run_training(
            Xt, y_encoded, incremental=False, epochs=self.max_epochs, strata=y_encoded
        )
        # Draws of sample(): a sequence fixed by random_state, fresh at each call.
        self._sampling_rng = np.random.RandomState(self._fit_seed())
        self.marginal_matcher_ = None
        k = self.table_codec_.n_numeric_
        if self.match_marginals and k:
            stages = Stages(self.verbose, f"{type(self).__name__}, after training", [MATCHING])
            stages.start(MATCHING)
            rng = np.random.RandomState(self._fit_seed() + 1)
            self.marginal_matcher_ = MarginalMatcher().fit(
                Xt[:, :k], y_encoded, lambda codes, n: self._draw(codes, n, rng)[:, :k]
            )
            stages.close()
        return self

    def _make_codec(self):
        # Decoded values stay within the range seen in fit, and columns that held
        # only integers come back as integers, as a sampler's rows should.
        return TableCodec("auto", bounded=True)

    _net_class = VAENet
    _criterion = NegativeELBO
    _module_class = VAE

    def _build_net(self, data, device, seed):
        codec = self.table_codec_
        image_shape = None if self.image_shape is None else tuple(map(int, self.image_shape))
        module_args = dict(
            n_features=codec.n_outputs_,
            encoding_dim=self.encoding_dim,
            hidden_dims=tuple(self.hidden_dims),
            n_numeric=codec.n_numeric_,
            n_classes=len(self.classes_) if self._conditional else 0,
            activation=resolve_activation(self.activation, image_shape),
            batch_norm=self.batch_norm,
            dropout=self.dropout,
            image_shape=image_shape,
            conv_channels=tuple(map(int, self.conv_channels)),
        )
        return self._make_net(
            module_args,
            device,
            seed,
            init_module=lambda module: module.init_independent(*self._independent_start(data.X)),
            criterion__n_numeric=codec.n_numeric_,
            criterion__blocks=[(b.start, b.stop) for b in codec.blocks_],
            criterion__observed=codec.observed_slots(),
            beta=self.beta,
            kl_warmup=self.kl_warmup,
        )

    def _optimizer_kwargs(self):
        kwargs = super()._optimizer_kwargs()
        # The deviations must follow the reconstructions as they improve: at the
        # common rate, Adam moves a log deviation by about lr a step: on digits it
        # took 50 epochs to go from 1 to 0.58.
        kwargs["optimizer__param_groups"] = [("log_std", {"lr": self.lr * LOG_STD_LR_FACTOR})]
        return kwargs

    def _independent_start(self, X):
        """Decoder bias and log deviations of the model of independent columns."""
        # Evenly spaced rows: data sorted by class must not start from one class.
        step = -(-X.shape[0] // INIT_MAX_ROWS)  # ceil
        X = torch.as_tensor(X[::step]).float()
        codec = self.table_codec_
        k = codec.n_numeric_
        bias = X.mean(0)
        for block in codec.blocks_:
            bias[block.start : block.stop] = bias[block.start : block.stop].clamp(min=1e-3).log()
        log_std = X[:, :k].std(0, correction=0).clamp(min=MIN_STD).log()
        return bias, log_std

    def _onehot(self, codes):
        return np.eye(len(self.classes_), dtype=np.float32)[codes]

    def _label_codes(self, y, n_rows):
        """Codes of the labels ``y``, one per row; ``y`` is required exactly when
        the model is conditional."""
        if not self._conditional:
            if y is not None:
                self._known_labels(y)  # raises: fitted without y
            return None
        if y is None:
            raise ValueError(
                "This VariationalAutoencoder was fitted with y (a conditional VAE): "
                "pass the labels of the rows, y=..., to decode them."
            )
        y = self._known_labels(y)
        if y.shape[0] != n_rows:
            raise ValueError(f"Got {n_rows} rows but {y.shape[0]} labels in y.")
        return np.searchsorted(self.classes_, y)

    def transform(self, X):
        """Encode ``X`` as the means of its posteriors over codes.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        codes : ndarray of shape (n_samples, encoding_dim)
            Posterior means, in the dtype of ``X`` (float32 stays float32, anything
            else becomes float64).

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import VariationalAutoencoder
        >>> X = load_digits().data[:200] / 16
        >>> vae = VariationalAutoencoder(encoding_dim=4, max_epochs=2, random_state=0).fit(X)
        >>> vae.transform(X[:5]).shape
        (5, 4)
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self._forward_batches(self.net_.module_.posterior_mean, X, output_dtype(X))

    def inverse_transform(self, X, y=None):
        """Decode codes to rows: the mean of each numeric column's Gaussian, the
        most likely level of each categorical column.

        Parameters
        ----------
        X : array-like of shape (n_samples, encoding_dim)
            Codes, e.g. from :meth:`transform`.

        y : array-like of shape (n_samples,), default=None
            The rows' labels; required when the VAE was fitted with ``y``.

        Returns
        -------
        X_decoded : ndarray or DataFrame of shape (n_samples, n_features_in_)
            Rows in the form ``fit`` got (a DataFrame with its columns and dtypes,
            an object array, or a numeric array), numeric values within the range
            seen in fit.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import VariationalAutoencoder
        >>> X = load_digits().data[:200] / 16
        >>> vae = VariationalAutoencoder(encoding_dim=4, max_epochs=2, random_state=0).fit(X)
        >>> vae.inverse_transform(vae.transform(X[:5])).shape
        (5, 64)
        """
        check_is_fitted(self)
        codes = check_array(X, dtype=[np.float64, np.float32])
        if codes.shape[1] != self.encoding_dim:
            raise ValueError(
                f"inverse_transform expects {self.encoding_dim} codes per row "
                f"(encoding_dim); got {codes.shape[1]}."
            )
        labels = self._label_codes(y, codes.shape[0])
        rows = self._decode(codes, labels)
        return self.table_codec_.inverse_transform(rows)

    def _draw(self, labels, n_samples, rng):
        """Decoder outputs of codes drawn from the prior, for label codes (or None)."""
        codes = rng.standard_normal((n_samples, self.encoding_dim)).astype(np.float32)
        return self._decode(codes, labels)

    def _decode(self, codes, labels):
        """The decoder's output (model space) for codes and label codes (or None)."""
        module = self.net_.module_
        if labels is None:
            return self._forward_batches(module.decode, codes, np.float64)
        k = codes.shape[1]
        inputs = np.hstack([codes.astype(np.float32), self._onehot(labels)])
        return self._forward_batches(
            lambda batch: module.decode(batch[:, :k], batch[:, k:]), inputs, np.float64
        )

    def sample(self, n_samples=1, *, y=None):
        """Draw new rows: codes from the standard normal prior, decoded.

        Numeric columns take the decoder's mean (mapped onto the data's
        marginals with ``match_marginals``, clipped to the range seen in fit,
        rounded where the column held only integers); each categorical
        column a level drawn from the decoder's probabilities. Successive calls
        continue one sequence of draws fixed by ``random_state``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows; ignored when ``y`` is given.

        y : array-like of shape (n_rows,), default=None
            Class labels of the rows to draw (conditional VAE only). None draws the
            labels from the class frequencies seen in ``fit``.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features_in_)
            New rows in the form ``fit`` got.

        y : ndarray of shape (n_samples,)
            Their labels; returned only when the VAE was fitted with ``y``.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import VariationalAutoencoder
        >>> X, y = load_digits(return_X_y=True)
        >>> vae = VariationalAutoencoder(max_epochs=2, random_state=0).fit(X[:300] / 16)
        >>> vae.sample(4).shape
        (4, 64)
        >>> cvae = VariationalAutoencoder(max_epochs=2, random_state=0).fit(X[:300] / 16, y[:300])
        >>> X_new, y_new = cvae.sample(y=[0, 0, 1])
        >>> y_new
        array([0, 0, 1])
        """
        check_is_fitted(self)
        rng = self._sampling_rng
        if y is not None:
            y = self._known_labels(y)
            n_samples = y.shape[0]
        elif not isinstance(n_samples, Integral) or isinstance(n_samples, bool):
            raise TypeError(f"n_samples must be an int; got {n_samples!r}.")
        elif n_samples <= 0:
            raise ValueError(f"n_samples must be positive; got {n_samples}.")
        elif self._conditional:
            y = self.classes_[rng.choice(len(self.classes_), size=n_samples, p=self.class_prior_)]
        labels = np.searchsorted(self.classes_, y) if self._conditional else None
        rows = self._draw(labels, n_samples, rng)
        codec = self.table_codec_
        k = codec.n_numeric_
        if self.marginal_matcher_ is not None:
            rows[:, :k] = self.marginal_matcher_.transform(rows[:, :k], labels)
        if codec.blocks_:
            blocks = [(b.start - k, b.stop - k) for b in codec.blocks_]
            rows[:, k:] = sample_blocks(rows[:, k:], blocks, rng)
        X = codec.inverse_transform(rows, rng=rng)
        return (X, y) if self._conditional else X

    def score_samples(self, X, y=None):
        """The evidence lower bound (ELBO) of each row: higher is more typical.

        ``log p(x | z)`` (see the class docstring for the likelihood) at the
        posterior mean ``z`` (a deterministic, one-point estimate of its
        expectation under ``q(z | x)``) minus ``KL(q(z | x) || p(z))``, in nats,
        with numeric columns in the model's units. For a conditional VAE it
        bounds ``log p(x | y)`` when ``y`` is given, and ``log p(x)`` when not:
        ``log sum_c p(c) exp(ELBO(x, c))`` over the classes ``c`` seen in fit.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to score.

        y : array-like of shape (n_samples,), default=None
            The rows' labels (conditional VAE only).

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            The ELBO of each row.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_digits
        >>> from skae import VariationalAutoencoder
        >>> X = load_digits().data[:300] / 16
        >>> vae = VariationalAutoencoder(max_epochs=5, random_state=0).fit(X)
        >>> noise = np.random.RandomState(0).permutation(X.ravel()).reshape(X.shape)
        >>> bool(vae.score_samples(X).mean() > vae.score_samples(noise).mean())
        True
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        labels = self._label_codes(y, X.shape[0]) if y is not None else None
        if self._conditional and labels is None:
            # ELBO under every class, weighed by the class frequencies.
            elbo = np.column_stack(
                [self._elbo(X, np.full(X.shape[0], c)) for c in range(len(self.classes_))]
            )
            return logsumexp(elbo + np.log(self.class_prior_), axis=1)
        return self._elbo(X, labels)

    def _elbo(self, X, labels):
        module, loss = self.net_.module_, self.net_.criterion_
        width = X.shape[1]

        def elbo(batch):
            rows, onehot = batch[:, :width], None
            if labels is not None:
                onehot = batch[:, width:]
            # In float64: the squared error of a far-off row overflows float32.
            y_pred = tuple(t.double() for t in module(rows, onehot))
            return -loss.rows(y_pred, rows.double())

        inputs = X if labels is None else np.hstack([X, self._onehot(labels)])
        return self._forward_batches(elbo, inputs, np.float64)

    def score(self, X, y=None):
        """Mean ELBO of the rows of ``X`` (higher is better).

        Lets ``GridSearchCV`` tune the VAE (``encoding_dim``, ``beta``, ...) without
        labels.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data to score.

        y : array-like of shape (n_samples,), default=None
            The rows' labels for a conditional VAE; ignored by one fitted without y.

        Returns
        -------
        score : float
            The mean of :meth:`score_samples`.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import VariationalAutoencoder
        >>> X = load_digits().data[:300] / 16
        >>> vae = VariationalAutoencoder(max_epochs=2, random_state=0).fit(X)
        >>> isinstance(vae.score(X), float)
        True
        """
        check_is_fitted(self)
        return float(np.mean(self.score_samples(X, y if self._conditional else None)))

    @property
    def _n_features_out(self):
        # A fitted attribute: before fit there are no output features to name.
        return self.net_.module_.encoding_dim

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.target_tags.required = False
        return tags
