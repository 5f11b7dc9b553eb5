"""GANSampler: a GAN that learns a table's distribution and samples new rows."""

import math
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import torch
from scipy import sparse
from sklearn.base import OneToOneFeatureMixin
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch.callbacks import PassthroughScoring

from ._base import COMMON_PARAM_RULES, BaseNeuralEstimator, common_params_doc, fit_transaction
from ._data import open_array, validation_rows
from ._labels import ClassLabelsMixin
from ._marginals import CategoryMatcher, MarginalMatcher, sample_blocks
from ._modules import GAN
from ._nets import GANNet
from ._params import Anything, Boolean, Interval, IntTuple, Options, validate_params
from ._progress import Stages
from ._rejection import MAX_ROUNDS, RatioRejector
from ._resampling import SAMPLING_STRATEGIES, rows_to_add
from ._table import TableCodec

# Conditional sampling: rounds of drawing candidates for the rows that miss the
# conditions, at most this many candidates per row and in all per round.
CONDITION_ROUNDS = 5
MAX_OVERSAMPLING = 64
MAX_CANDIDATES = 1_000_000
# An epoch lasts at least this many generator steps, so that tiny tables do not
# spend their time in per-epoch bookkeeping.
MIN_STEPS_PER_EPOCH = 50
# Hidden width of both networks when not given: WIDTH_PER_FEATURE per feature,
# within [MIN_AUTO_WIDTH, MAX_AUTO_WIDTH]. Half the width is about half the fit time.
WIDTH_PER_FEATURE = 4
MIN_AUTO_WIDTH = 128
MAX_AUTO_WIDTH = 256
# Shared training parameters a GAN does without: it trains for max_steps generator
# steps, and steps once per batch.
NOT_GAN_PARAMS = ("max_epochs", "accumulation_steps")


class GANSampler(ClassLabelsMixin, OneToOneFeatureMixin, BaseNeuralEstimator):
    __doc__ = f"""Generative adversarial network that samples new rows like ``X``.

    Learns the distribution of a table (numeric, or a DataFrame with categorical,
    boolean and integer columns and gaps; or flattened images) and draws new rows
    from it: for data augmentation, class rebalancing and synthetic stand-ins for
    private data. Fitted with class labels ``y`` it is a conditional GAN and
    samples rows of requested classes; ``sample(conditions=...)`` fixes the values
    of categorical columns.

    Numeric columns are mapped to a scale the GAN trains well on
    (``preprocessing``) and back on sampling; columns that held only integers come
    back as integers, and every value stays within the range seen in ``fit``.
    Categorical columns (and the missing indicators of numeric columns with gaps)
    are one-hot blocks that the generator emits through a Gumbel-softmax; samples
    come back with the columns, dtypes, categories and gaps of the training table
    (see the user guide's page on mixed tables). The generator and critic are
    MLPs; the critic sees ``pac`` rows at once (PacGAN), which lets it penalise a
    generator that collapses onto a few modes; samples come from an exponential
    moving average of the generator's weights, get each class's real marginal
    distributions along its principal axes and features (``match_marginals``)
    and are thinned by discriminator rejection sampling (``rejection_sampling``). A
    conditional fit also trains a label classifier whose verdict the generator
    must satisfy (``label_loss``).

    Parameters
    ----------
    latent_dim : int, default=64
        Dimension of the generator's Gaussian input noise.

    generator_hidden_dims : tuple of int or None, default=None
        Hidden widths of the generator. None gives two layers whose width grows
        with the data: four per feature, at least 128 and at most 256 (128 up to
        32 features, 256 from 64 on). Narrow networks train twice as fast and
        matched or beat 256-wide ones on tables of up to 30 features; on the 64
        pixels of digits the 256-wide ones were clearly better (see benchmarks/).

    discriminator_hidden_dims : tuple of int or None, default=None
        Hidden widths of the critic (discriminator); None as for the generator.

    loss : {{"wgan-gp", "bce", "hinge"}}, default="wgan-gp"
        Adversarial objective: Wasserstein with gradient penalty, the original GAN
        with the non-saturating generator loss, or the hinge loss.

    n_critic : int, default=2
        Critic steps per generator step. Two, at the high decaying learning rate,
        gave clearly more faithful samples than one, for 1.5x the fit time, and
        trained better per second than WGAN-GP's customary 5 at a low rate (see
        benchmarks/).

    gradient_penalty : float, default=10.0
        Weight of the penalty on the critic's gradient norm at interpolates of real
        and generated rows (0 disables it).

    pac : int, default=2
        Rows the critic judges together (PacGAN packing); capped at the batch size.
        Two keeps every mode of the benchmark mixtures and lets the critic judge
        single rows finely: packs of 8 left samples of real tables far easier to tell
        from real rows (two-sample AUC 0.82 against 0.64 on breast cancer, 0.98
        against 0.80 on digits; see benchmarks/).

    max_steps : int, default=2000
        Training length in generator steps (rounded up to whole epochs). Counting
        steps rather than epochs gives a 400-row table the same amount of training as
        a 100,000-row one. An epoch is one pass over the data, or
        50 generator steps if that is longer.

    preprocessing : {{"quantile", "standard"}}, default="quantile"
        Map of each numeric column, applied before training and inverted on
        sampling: quantile-normal or standardisation.

    ema_decay : float, default=0.999
        Decay of the moving average of generator weights used for sampling. The
        decay after generator step ``t`` is ``min(ema_decay, (1 + t) / (10 + t))``,
        so 0.999 is reached only after about 9,000 steps; a shorter fit averages
        mostly its last fifth of steps (86% of the weight), whatever its length.

    label_loss : float, default=1.0
        Conditional fit only: weight of an auxiliary loss that makes generated rows
        carry their label. A classifier (an MLP, one hidden layer of 128) learns the
        labels of real rows during training, and the generator pays its
        cross-entropy on generated rows. 0 disables it (and the classifier).

    lr_decay : {{"constant", "cosine"}}, default="cosine"
        Learning-rate schedule of every fit: constant, or a cosine decay from
        ``lr`` to zero over the ``max_steps`` steps. The decay lets training start
        fast (hence the high default ``lr``) and end with the two players settled
        rather than circling each other (see benchmarks/).

    match_marginals : bool, default=True
        After training, map the generated rows of every class onto that class's
        real distribution along each of its principal axes and then along each
        feature: each score or value ``x`` goes through ``F_data^-1(F_gen(x))``,
        with ``F_gen`` estimated on 10,000 generated rows per class (fewer for many
        classes of wide rows). The pass along the principal axes gives the data's
        spread in every direction, correlations included; the pass along the
        features gives each feature the data's marginal distribution. The two
        passes are then repeated within clusters of each class (k-means on its
        real rows, at least 60 rows and at most 4 clusters; a row takes the maps of
        its nearest cluster), which gives each way of being that class its own
        shape, and a last pass along the features restores the class's marginals.
        All maps are monotone along their axes, so the generator's ranks, and with
        them the structure it learned beyond variances, are kept. Samples of real
        tables get clearly harder to tell from real rows (see benchmarks/).
        Classes with fewer than 50 rows are left as generated.

    rejection_sampling : bool, default=True
        Discriminator rejection sampling: after training, a gradient-boosting
        classifier learns to tell real rows from generated ones, and ``sample``
        keeps a generated row with probability ``min(1, r / M)``, where ``r`` is
        the estimated density ratio of data to generator and ``M`` its 95th
        percentile over generated rows; a row whose ``r`` is below that of 99.9%
        of the real rows is rejected outright. Rejected rows are redrawn (at most 20
        rounds). This removes rows off the data, such as those a generator puts
        between thin modes. Skipped for fewer than 50 rows.

    sampling_strategy : str, float, dict or callable, default="auto"
        Which classes ``fit_resample`` tops up and to what size, with
        imbalanced-learn's meanings: "auto" (= "not majority"), "minority",
        "not minority", "all" bring classes to the largest class's size; a float
        (two classes) is the wanted ratio of minority to majority rows; a dict
        maps classes to their wanted numbers of rows; a callable maps ``y`` to
        such a dict.

    {
        common_params_doc(
            exclude=NOT_GAN_PARAMS,
            batch_size=500,
            lr=0.01,
            batch_size_note=", cut to a whole number of ``pac`` packs",
        )
    }

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_.generator`` and ``net_.module_.critic`` are
        the two torch modules and ``net_.history`` records ``generator_loss`` and
        ``critic_loss`` per epoch.

    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``; only when fitted with ``y``.

    class_prior_ : ndarray of shape (n_classes,)
        Class frequencies in ``fit``, from which ``sample(n)`` draws labels; only
        when fitted with ``y``.

    table_codec_ : object
        The reversible map between the training table and the model matrix:
        column kinds, numeric scaling (``preprocessing``), one-hot blocks.

    marginal_matcher_ : object or None
        The per-class maps of numeric columns of ``match_marginals``; None without
        it or without numeric columns.

    category_matcher_ : object or None
        The per-class level offsets of ``match_marginals`` for categorical columns
        and gaps; None without it or without such columns.

    rejector_ : object or None
        The real-vs-generated classifier of ``rejection_sampling``; None without it.

    sampling_strategy_ : dict
        Rows of each class that the last ``fit_resample`` added.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    n_iter_ : int
        Epochs trained.

    loss_curve_ : list of float
        Critic loss per epoch, gradient penalty included.

    See Also
    --------
    sklearn.mixture.GaussianMixture : Its ``sample`` method is the classical baseline.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from skae import GANSampler
    >>> X, y = make_moons(500, noise=0.05, random_state=0)
    >>> gan = GANSampler(max_steps=50, random_state=0).fit(X, y)
    >>> X_new, y_new = gan.sample(4)
    >>> X_new.shape, y_new.shape
    ((4, 2), (4,))
    >>> X_one, y_one = gan.sample(3, y=[1, 1, 1])
    >>> y_one
    array([1, 1, 1])
    """

    _param_rules = {
        **{k: v for k, v in COMMON_PARAM_RULES.items() if k not in NOT_GAN_PARAMS},
        "latent_dim": [Interval(Integral, 1, None)],
        "generator_hidden_dims": [Options(None), IntTuple()],
        "discriminator_hidden_dims": [Options(None), IntTuple()],
        "loss": [Options("wgan-gp", "bce", "hinge")],
        "n_critic": [Interval(Integral, 1, None)],
        "gradient_penalty": [Interval(Real, 0, None)],
        "pac": [Interval(Integral, 1, None)],
        "max_steps": [Interval(Integral, 1, None)],
        "preprocessing": [Options("quantile", "standard")],
        "ema_decay": [Interval(Real, 0, 1, closed="left")],
        "label_loss": [Interval(Real, 0, None)],
        "lr_decay": [Options("constant", "cosine")],
        "match_marginals": [Boolean()],
        "rejection_sampling": [Boolean()],
        "sampling_strategy": [
            Options(*SAMPLING_STRATEGIES),
            Interval(Real, 0, 1, closed="right"),
            Anything("a dict or a callable"),
        ],
    }

    def __init__(
        self,
        latent_dim: int = 64,
        *,
        generator_hidden_dims: tuple | None = None,
        discriminator_hidden_dims: tuple | None = None,
        loss: str = "wgan-gp",
        n_critic: int = 2,
        gradient_penalty: float = 10.0,
        pac: int = 2,
        max_steps: int = 2000,
        preprocessing: str = "quantile",
        ema_decay: float = 0.999,
        label_loss: float = 1.0,
        lr_decay: str = "cosine",
        match_marginals: bool = True,
        rejection_sampling: bool = True,
        sampling_strategy="auto",
        batch_size: int = 500,
        lr: float = 1e-2,
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
        warm_start: bool = False,
        precision: str = "32",
        torch_num_threads: int | str | None = "auto",
        strategy: str | None = None,
    ):
        self.latent_dim = latent_dim
        self.generator_hidden_dims = generator_hidden_dims
        self.discriminator_hidden_dims = discriminator_hidden_dims
        self.loss = loss
        self.n_critic = n_critic
        self.gradient_penalty = gradient_penalty
        self.pac = pac
        self.max_steps = max_steps
        self.preprocessing = preprocessing
        self.ema_decay = ema_decay
        self.label_loss = label_loss
        self.lr_decay = lr_decay
        self.match_marginals = match_marginals
        self.rejection_sampling = rejection_sampling
        self.sampling_strategy = sampling_strategy
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
        self.warm_start = warm_start
        self.precision = precision
        self.torch_num_threads = torch_num_threads
        self.strategy = strategy

    # Not a parameter: the GAN always steps once per batch.
    accumulation_steps = 1

    @fit_transaction
    def fit(self, X, y=None):
        """Train the GAN on the rows of ``X`` (conditioned on ``y`` if given).

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Training rows: numeric, or a table with categorical columns and gaps.
            ``sample`` returns rows in the same form (columns, dtypes, categories).

        y : array-like of shape (n_samples,), default=None
            Class labels for a conditional GAN; None learns ``X`` alone.

        Returns
        -------
        self : GANSampler
            The fitted sampler.

        Examples
        --------
        >>> from sklearn.datasets import make_moons
        >>> from skae import GANSampler
        >>> X, y = make_moons(200, noise=0.05, random_state=0)
        >>> gan = GANSampler(max_steps=5, random_state=0).fit(X)
        >>> gan.n_features_in_
        2
        >>> gan.sample(3).shape
        (3, 2)
        """
        validate_params(self)
        continuing = self.warm_start and hasattr(self, "net_")
        # Spreads integer columns under the quantile map and fills numeric gaps.
        spread_rng = np.random.default_rng(self._fit_seed())
        Xt = self._validate_X(X, reset=not continuing, min_samples=2, rng=spread_rng)
        Xt = Xt.astype(np.float32)
        self._check_fit_size(Xt.shape[0])
        y_encoded = None if y is None else self._encode_labels(y, Xt.shape[0], continuing)
        if not continuing:
            self._conditional = y is not None
        elif self._conditional != (y is not None):
            raise ValueError("A warm-started fit must use y exactly when the first fit did.")

        n_train = Xt.shape[0]
        if self.early_stopping:
            n_train -= validation_rows(n_train, self.validation_fraction)
        batch = min(self.batch_size, n_train)
        steps_per_epoch = min(
            self.max_steps, max(MIN_STEPS_PER_EPOCH, math.ceil(n_train / batch / self.n_critic))
        )
        epochs = math.ceil(self.max_steps / steps_per_epoch)
        self._run_training(
            Xt,
            y_encoded,
            incremental=False,
            epochs=epochs,
            batch_rows=batch,
            batches_per_epoch=steps_per_epoch * self.n_critic,
        )
        self._sampling_rng = np.random.RandomState(self._fit_seed())
        # Both post-training steps learn from generated rows: marginal matching
        # first, so that the rejection step judges the rows ``sample`` proposes.
        rng = np.random.RandomState(self._fit_seed() + 1)
        k, blocks = self.table_codec_.n_numeric_, self._blocks()
        self.marginal_matcher_ = self.category_matcher_ = None
        steps = [
            name
            for name, wanted in (
                ("matching numeric marginals", self.match_marginals and k),
                ("matching category frequencies", self.match_marginals and blocks),
                ("fitting the rejection step", self.rejection_sampling),
            )
            if wanted
        ]
        stages = Stages(self.verbose, f"{type(self).__name__}, after training", steps)
        if self.match_marginals and k:
            stages.start("matching numeric marginals")
            self.marginal_matcher_ = MarginalMatcher().fit(
                Xt[:, :k], y_encoded, lambda codes, n: self._generate(codes, n, rng)[:, :k]
            )
        if self.match_marginals and blocks:
            stages.start("matching category frequencies")
            self.category_matcher_ = CategoryMatcher().fit(
                Xt[:, k:],
                y_encoded,
                self._blocks(after_numeric=True),
                lambda codes, n: self._generate(codes, n, rng)[:, k:],
            )
        self.rejector_ = None
        if self.rejection_sampling:
            stages.start("fitting the rejection step")
            fake = self._propose(y_encoded, Xt.shape[0], rng)
            self.rejector_ = RatioRejector(random_state=self._fit_seed() % 2**31)
            self.rejector_.fit(Xt, fake, y_encoded, y_encoded)
            if self.category_matcher_ is not None:
                self.category_matcher_.correct(
                    lambda codes, n: self._generate_accepted(codes, n, rng)[:, k:]
                )
        stages.close()
        return self

    # A sparse table is densified once (see the codec); fit_resample returns sparse.
    _accepts_sparse = True

    def _make_codec(self):
        # Numeric columns through ``preprocessing``; sampled values stay within the
        # range seen in fit and columns that held only integers come back rounded.
        return TableCodec(self.preprocessing, bounded=True)

    def _blocks(self, *, after_numeric=False):
        """``(start, stop)`` of each one-hot block of the model matrix, or counted
        from the end of its numeric part (the blocks-only rows the category
        steps see)."""
        k = self.table_codec_.n_numeric_ if after_numeric else 0
        return [(block.start - k, block.stop - k) for block in self.table_codec_.blocks_]

    def _generate(self, codes, n_samples, rng):
        """Rows in the training space for label codes (None: unconditional)."""
        z = rng.standard_normal((n_samples, self.latent_dim)).astype(np.float32)
        inputs = z
        if codes is not None:
            onehot = np.eye(len(self.classes_), dtype=np.float32)[codes]
            inputs = np.hstack([z, onehot])
        return self._forward_batches(self.net_.module_.generator_ema, inputs, np.float64)

    def _propose(self, codes, n_samples, rng):
        """``_generate`` with the marginals matched to the data's, and a level drawn
        in each one-hot block."""
        rows = self._generate(codes, n_samples, rng)
        k = self.table_codec_.n_numeric_
        if self.marginal_matcher_ is not None:
            rows[:, :k] = self.marginal_matcher_.transform(rows[:, :k], codes)
        if self.category_matcher_ is not None:
            rows[:, k:] = self.category_matcher_.sample(rows[:, k:], codes, rng)
        elif self.table_codec_.blocks_:
            rows[:, k:] = sample_blocks(rows[:, k:], self._blocks(after_numeric=True), rng)
        return rows

    def _generate_accepted(self, codes, n_samples, rng):
        """``_propose``, redrawing the rows the rejection step turns down."""
        rows = self._propose(codes, n_samples, rng)
        if self.rejector_ is None:
            return rows
        pending = np.arange(n_samples)
        for _ in range(MAX_ROUNDS):
            pending_codes = None if codes is None else codes[pending]
            kept = self.rejector_.accept(rows[pending], pending_codes, rng)
            pending = pending[~kept]
            if pending.size == 0:
                break
            rows[pending] = self._propose(
                None if codes is None else codes[pending], pending.size, rng
            )
        return rows

    # The table shows critic_loss and generator_loss; train_loss repeats the first.
    _epoch_table_ignores = ("train_loss",)
    _net_class = GANNet
    _criterion = torch.nn.Identity
    _module_class = GAN

    def _build_net(self, data, device, seed, *, batch_rows, batches_per_epoch):
        module_args = dict(
            n_features=self.table_codec_.n_outputs_,
            latent_dim=self.latent_dim,
            generator_hidden_dims=self._hidden_dims(self.generator_hidden_dims),
            critic_hidden_dims=self._hidden_dims(self.discriminator_hidden_dims),
            n_classes=len(self.classes_) if self._conditional else 0,
            pac=min(self.pac, batch_rows),
            label_classifier=self.label_loss > 0,
            blocks=self._blocks(),
        )
        return self._make_net(
            module_args,
            device,
            seed,
            loss=self.loss,
            n_critic=self.n_critic,
            gradient_penalty=self.gradient_penalty,
            ema_decay=self.ema_decay,
            label_loss=self.label_loss,
            lr_decay=self.lr_decay,
            batches_per_epoch=batches_per_epoch,
        )

    def _hidden_dims(self, dims):
        """``dims``, or for None two layers sized to the number of features."""
        if dims is not None:
            return tuple(dims)
        n_features = self.table_codec_.n_outputs_
        width = min(MAX_AUTO_WIDTH, max(MIN_AUTO_WIDTH, WIDTH_PER_FEATURE * n_features))
        return (width, width)

    def _optimizer_kwargs(self):
        kwargs = super()._optimizer_kwargs()
        if self.optimizer in ("adam", "adamw"):
            # The customary GAN setting: little momentum keeps the two players from
            # overshooting each other.
            kwargs["optimizer__betas"] = (0.5, 0.9)
        return kwargs

    def _extra_callbacks(self):
        return [
            (name, PassthroughScoring(name=name, on_train=True))
            for name in ("critic_loss", "generator_loss")
        ]

    def sample(self, n_samples=1, *, y=None, conditions=None):
        """Draw new rows.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows; ignored when ``y`` is given.

        y : array-like of shape (n_rows,), default=None
            Class labels of the rows to draw (conditional fit only). None draws the
            labels from the class frequencies seen in ``fit``.

        conditions : dict or None, default=None
            Values of categorical columns every row must have, e.g.
            ``{"island": "Dream"}`` (keys are column names, or positions for an
            array; NaN asks for a gap). Rows are drawn from the generator and
            those that meet the conditions kept, so that the other columns follow
            the data's distribution given them; a combination the generator
            rarely gives is set on the rows still missing it after
            ``CONDITION_ROUNDS`` rounds of redrawing. Every returned row meets the
            conditions.

        Returns
        -------
        X : ndarray, DataFrame or sparse matrix of shape (n_samples, n_features_in_)
            New rows in the form ``fit`` got: a DataFrame with the training columns
            and dtypes, an object array, a CSR matrix for sparse input (the
            networks train on dense rows: a sparse table is densified once, and
            refused if that would take more than 4 GiB), or a numeric array.

        y : ndarray of shape (n_samples,)
            Their labels; returned only when the sampler was fitted with ``y``.

        Examples
        --------
        >>> from sklearn.datasets import make_moons
        >>> from skae import GANSampler
        >>> X, y = make_moons(200, noise=0.05, random_state=0)
        >>> gan = GANSampler(max_steps=5, random_state=0).fit(X, y)
        >>> X_new, y_new = gan.sample(4)
        >>> X_new.shape, y_new.shape
        ((4, 2), (4,))
        >>> X_one, y_one = gan.sample(y=[0, 0, 1])
        >>> y_one
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

        wanted = self._condition_slots(conditions)
        codes = np.searchsorted(self.classes_, y) if self._conditional else None
        rows = self._generate_accepted(codes, n_samples, rng)
        if wanted:
            rows = self._meet_conditions(rows, codes, wanted, rng)
        fixed = {column: value for column, (_, _, value) in wanted.items()}
        X = self.table_codec_.inverse_transform(rows, rng=rng, fixed=fixed)
        return (X, y) if self._conditional else X

    def _condition_slots(self, conditions):
        """``{column position: (its block, model-matrix column of the slot, value)}``."""
        if not conditions:
            return {}
        if not isinstance(conditions, Mapping):
            raise TypeError(
                "conditions must be a dict of column names to values, e.g. "
                f"{{'island': 'Dream'}}; got {type(conditions).__name__}."
            )
        codec = self.table_codec_
        names = getattr(self, "feature_names_in_", None)
        wanted = {}
        for key, value in conditions.items():
            if names is not None and key in list(names):
                column = list(names).index(key)
            elif names is None and isinstance(key, Integral) and 0 <= key < self.n_features_in_:
                column = int(key)
            else:
                known = list(names) if names is not None else f"0 to {self.n_features_in_ - 1}"
                raise ValueError(f"conditions name column {key!r}, which fit did not see: {known}.")
            if codec.kinds_[column] != "categorical":
                raise ValueError(
                    f"conditions fix categorical columns, but column {key!r} is numeric; "
                    "to draw rows within a range of it, sample more rows and filter them."
                )
            block = codec.categorical(column)
            wanted[column] = (block, block.start + block.levels.slot(value), value)
        return wanted

    def _meet_conditions(self, rows, codes, wanted, rng):
        """Replace the rows that miss a condition by generated rows that meet them
        all; the rows still missing one after ``CONDITION_ROUNDS`` get it set."""
        slots = [slot for _, slot, _ in wanted.values()]

        def meets(candidates):
            return (candidates[:, slots] == 1).all(axis=1)

        pending = np.flatnonzero(~meets(rows))
        rate = 1 - pending.size / len(rows)
        for _ in range(CONDITION_ROUNDS):
            if pending.size == 0:
                break
            # Enough candidates per row to find one at the rate seen so far.
            factor = int(
                min(
                    MAX_OVERSAMPLING,
                    MAX_CANDIDATES // pending.size + 1,
                    math.ceil(2 / max(rate, 1e-3)),
                )
            )
            candidate_codes = None if codes is None else np.repeat(codes[pending], factor)
            candidates = self._generate_accepted(candidate_codes, pending.size * factor, rng)
            good = meets(candidates).reshape(pending.size, factor)
            candidates = candidates.reshape(pending.size, factor, -1)
            found = good.any(axis=1)
            rows[pending[found]] = candidates[found, good[found].argmax(axis=1)]
            rate = max(good.mean(), rate / 2)
            pending = pending[~found]
        for block, slot, _ in wanted.values():
            rows[pending, block.start : block.stop] = 0
            rows[pending, slot] = 1
        return rows

    @fit_transaction
    def fit_resample(self, X, y):
        """Fit a conditional GAN and top up the classes ``sampling_strategy`` names
        (by default every class to the size of the largest).

        Follows imbalanced-learn's sampler API, so the sampler can stand in an
        ``imblearn.pipeline.Pipeline``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Training rows (numeric, or with categorical columns and gaps).

        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        X_resampled : ndarray, DataFrame, sparse matrix or list of shape \
(n_samples_new, n_features)
            The original rows followed by the generated ones, in the form ``X``
            came in.

        y_resampled : ndarray, Series or list of shape (n_samples_new,)
            Their labels, in the form ``y`` came in.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_moons
        >>> from skae import GANSampler
        >>> X, y = make_moons(200, noise=0.05, random_state=0)
        >>> keep = np.r_[np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:20]]
        >>> X, y = X[keep], y[keep]
        >>> np.bincount(y)
        array([100,  20])
        >>> X_res, y_res = GANSampler(max_steps=5, random_state=0).fit_resample(X, y)
        >>> X_res.shape, np.bincount(y_res)
        ((200, 2), array([100, 100]))
        """
        if y is None:
            raise ValueError("fit_resample needs class labels y: it balances the classes.")
        X = open_array(X)  # a .npy path: the rows come back as an array
        labels, one_vs_all = _labels(y)
        plan = rows_to_add(labels, self.sampling_strategy)  # bad strategies fail before fit
        self.fit(X, labels)
        self.sampling_strategy_ = plan
        new_labels = np.repeat(
            np.array(list(self.sampling_strategy_), dtype=labels.dtype),
            list(self.sampling_strategy_.values()),
        )
        if new_labels.size == 0:
            return X, y
        X_new, y_new = self.sample(y=new_labels)
        if hasattr(X, "iloc"):
            import pandas as pd

            X_all = pd.concat([X, X_new], ignore_index=True)
        elif sparse.issparse(X):
            X_all = sparse.vstack([X, X_new], format=X.format)
        else:
            X_all = np.concatenate([np.asarray(self._check_table(X, reset=False)), X_new])
            X_all = X_all.tolist() if isinstance(X, list) else X_all
        return X_all, _labels_like(y, np.concatenate([labels, y_new]), one_vs_all)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags


def _labels(y):
    """``(labels, one_vs_all)``: 1-D labels of ``y``; a one-hot 2-D ``y`` (one 1 per
    row, as ``label_binarize`` gives) reads as the index of its 1."""
    array = np.asarray(y)
    if array.ndim == 2 and array.shape[1] > 1:
        if not (np.isin(array, (0, 1)).all() and (array.sum(axis=1) == 1).all()):
            raise ValueError("Multilabel and multioutput targets are not supported.")
        return array.argmax(axis=1), True
    return column_or_1d(y, warn=True), False


def _labels_like(y, labels, one_vs_all):
    """``labels`` in the form ``y`` came in: one-hot, a Series, a one-column
    DataFrame, a list or an array."""
    if one_vs_all:
        onehot = np.zeros((len(labels), np.asarray(y).shape[1]), dtype=np.asarray(y).dtype)
        onehot[np.arange(len(labels)), labels] = 1
        labels = onehot
    if hasattr(y, "iloc"):
        import pandas as pd

        if hasattr(y, "columns"):
            return pd.DataFrame(labels.reshape(len(labels), -1), columns=y.columns)
        return pd.Series(labels, name=y.name)
    return labels.tolist() if isinstance(y, list) else labels
