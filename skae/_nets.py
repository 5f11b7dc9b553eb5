"""skorch nets: the training loop is skorch's; only its hooks are overridden here."""

import contextlib
import copy
import math

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from torch import nn

from ._data import INFERENCE_BATCH_ROWS, SliceIterator
from ._losses import ReconstructionLoss
from ._warn import warn

# The ``precision`` parameter's autocast dtypes; "32" runs without autocast.
AUTOCAST_DTYPES = {"bf16": torch.bfloat16, "16-mixed": torch.float16}


def autocast(precision, device):
    """The autocast context for ``precision`` on ``device`` (a no-op for "32")."""
    dtype = AUTOCAST_DTYPES.get(precision)
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=dtype)


class SliceNet(NeuralNet):
    """A ``NeuralNet`` fed by :class:`~skae._data.SliceIterator`, with gradient
    accumulation, mixed precision and a stop on a non-finite loss.

    Parameters (beyond ``NeuralNet``'s)
    -----------------------------------
    seed : int
        Seeds the batch permutations; the epoch count is mixed in so that a
        continued fit (``partial_fit``, ``warm_start``) does not replay them.
    accumulation_steps : int
        Optimizer step every this many batches (and at the end of each epoch).
    precision : {"32", "bf16", "16-mixed"}
        Forward passes and losses run under autocast in bfloat16 or float16; the
        weights stay float32. float16 gradients go through a ``GradScaler``.
    """

    def __init__(self, *args, seed=0, accumulation_steps=1, precision="32", **kwargs):
        super().__init__(*args, **kwargs)
        self.seed = seed
        self.accumulation_steps = accumulation_steps
        self.precision = precision

    # Batches per training epoch; None is one pass over the data.
    batches_per_epoch = None

    def _set_training(self, training=True):
        # skorch calls this before every batch; walking the module tree each time
        # costs 30-45 us a batch, so skip it when the mode is already right.
        if self.module_.training is training and self.criterion_.training is training:
            return
        super()._set_training(training)

    def get_iterator(self, dataset, training=False):
        generator = torch.Generator().manual_seed(self.seed + len(self.history))
        iterator = SliceIterator(
            dataset,
            self.batch_size if self.batch_size != -1 else len(dataset),
            shuffle=training,
            generator=generator,
            device=self.device,
            n_batches=self.batches_per_epoch if training else None,
        )
        if training:
            self.n_train_batches_ = len(iterator)
        return iterator

    def autocast(self):
        """The context the forward passes run in (see ``precision``)."""
        return autocast(self.precision, self.device)

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        if getattr(self, "grad_scaler_", None) is None:
            # Disabled (a pass-through) unless float16 gradients need scaling.
            self.grad_scaler_ = torch.amp.GradScaler(
                torch.device(self.device).type, enabled=self.precision == "16-mixed"
            )

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # skorch's partial_fit ends training quietly on Ctrl-C and keeps the weights
        # trained so far; the flag lets the estimator say so.
        self.interrupted_ = False
        self.call_epochs_ = self.max_epochs if epochs is None else epochs
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            # skorch's EarlyStopping stops training the same way.
            self.interrupted_ = not any(
                isinstance(callback, EarlyStopping) and callback.misses_ >= callback.patience
                for _, callback in self.callbacks_
            )
            raise

    def on_epoch_begin(self, net, **kwargs):
        super().on_epoch_begin(net, **kwargs)
        # Counted here rather than read from the history, which a distributed run
        # fills with every process's batches.
        self.batch_index_ = 0

    def progress_units(self):
        """``(unit, total)`` of this training call, for a progress display."""
        return "epoch", self.call_epochs_

    def progress_per_batch(self):
        """Units of progress one training batch makes."""
        return 1 / self.n_train_batches_

    def progress_losses(self):
        """``{label: history key}`` of the losses a progress display shows."""
        return {"loss": "train_loss"}

    def epoch_progress(self):
        """Epochs completed so far, fractional within the current epoch."""
        return len(self.history) - 1 + self.batch_index_ / self.n_train_batches_

    def train_step(self, batch, **fit_params):
        # Gradients add up over ``accumulation_steps`` batches before one step.
        index = self.batch_index_
        self.batch_index_ += 1
        if index % self.accumulation_steps == 0:
            self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        if (index + 1) % self.accumulation_steps == 0 or index + 1 == self.n_train_batches_:
            self.step_optimizers(
                [self.optimizer_], list(self.get_all_learnable_params()), batch=batch
            )
        return step

    def backward(self, loss):
        """Backpropagate ``loss`` (scaled for float16, split over accumulated batches)."""
        self.grad_scaler_.scale(loss / self.accumulation_steps).backward()

    def step_optimizers(self, optimizers, named_parameters, batch=None):
        """Unscale and synchronise the gradients, let callbacks see them (e.g.
        clipping), then step ``optimizers``."""
        for optimizer in optimizers:
            self.grad_scaler_.unscale_(optimizer)
        self.synchronise_gradients([p for _, p in named_parameters])
        self.notify(
            "on_grad_computed", named_parameters=named_parameters, batch=batch, training=True
        )
        for optimizer in optimizers:
            self.grad_scaler_.step(optimizer)
        self.grad_scaler_.update()

    def synchronise_gradients(self, parameters):
        """Make the gradients the same in every process; one process has nothing to do."""

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        with self.autocast():
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        self.backward(loss)
        return {"loss": loss, "y_pred": y_pred}

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        loss = loss.item() if torch.is_tensor(loss) else loss
        if loss is not None and not math.isfinite(loss):
            raise FloatingPointError(
                f"Training diverged: the loss became {loss} in epoch {len(self.history)}. "
                "Scale the inputs (e.g. StandardScaler), lower `lr`, or set "
                "`clip_grad_norm`."
            )

    def __getstate__(self):
        state = super().__getstate__()
        # Rebuilt at the next fit; pickled, its CUDA tensors would tie the model to a GPU.
        state.pop("grad_scaler_", None)
        return state


class ReconstructionNet(SliceNet):
    """A net whose target is the batch's own rows: each step feeds
    :meth:`module_inputs` of the batch to the module and scores its output against
    the clean rows."""

    def module_inputs(self, Xi, yi, training):
        return (Xi,)

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        with self.autocast():
            y_pred = self.module_(*self.module_inputs(Xi, yi, training=True))
            loss = self.get_loss(y_pred, Xi, X=Xi, training=True)
        self.backward(loss)
        return {"loss": loss, "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        Xi, yi = batch
        with torch.inference_mode(), self.autocast():
            y_pred = self.module_(*self.module_inputs(Xi, yi, training=False))
            loss = self.get_loss(y_pred, Xi, X=Xi, training=False)
        return {"loss": loss, "y_pred": y_pred}


class AutoencoderNet(ReconstructionNet):
    """Reconstruction loss plus optional penalties, with a denoising input.

    Parameters (beyond :class:`SliceNet`'s)
    ---------------------------------------
    noise : float
        Std of Gaussian noise added to training inputs; targets stay clean.
    l1_activity : float
        L1 penalty on the mean absolute code.
    l1 : float
        L1 penalty on the sum of absolute weights.
    """

    def __init__(self, *args, noise=0.0, l1_activity=0.0, l1=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.noise = noise
        self.l1_activity = l1_activity
        self.l1 = l1

    def module_inputs(self, Xi, yi, training):
        if training and self.noise > 0:
            return (Xi + self.noise * torch.randn_like(Xi),)
        return (Xi,)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        output, code = y_pred
        loss = self.criterion_(output, y_true)
        if training and self.l1_activity > 0:
            loss = loss + self.l1_activity * code.abs().mean()
        if training and self.l1 > 0:
            weights = (p for name, p in self.module_.named_parameters() if name.endswith("weight"))
            loss = loss + self.l1 * sum(w.abs().sum() for w in weights)
        return loss


class KeepBetterStart(Callback):
    """Keep the starting weights of a fresh fit (of more than one epoch: not a
    ``partial_fit``) when training ends with a higher loss on the training rows
    than they had.

    An autoencoder started from PCA and trained for reconstruction alone must not
    end worse than PCA: Adam's first steps move every weight by about ``lr``
    whatever its gradient, which puts more error on the PCA start than a short fit
    removes (after 2 epochs on digits, 1.5x PCA's), and on data PCA reconstructs
    almost exactly more than any fit removes. Costs two inference passes over the
    training rows.
    """

    def on_train_begin(self, net, X=None, **kwargs):
        self.start_ = None
        if len(net.history) == 0:  # a fresh fit: the weights are the chosen start
            self.start_ = (_training_loss(net, X), copy.deepcopy(net.module_.state_dict()))

    def on_train_end(self, net, X=None, **kwargs):
        start, self.start_ = self.start_, None  # not part of the fitted model
        if start is None or net.interrupted_ or net.call_epochs_ < 2:
            return
        start_loss, start_weights = start
        end_loss = _training_loss(net, X)
        if end_loss > start_loss:
            net.module_.load_state_dict(start_weights)
            warn(
                f"Training ended with a higher reconstruction loss on the training rows "
                f"({end_loss:.4g}) than its PCA start ({start_loss:.4g}); the PCA start is "
                "kept. A lower lr, or more epochs, may let training improve on it.",
            )


def _training_loss(net, dataset):
    """Mean loss of the module in eval mode over ``dataset``, in large batches."""
    total, rows = 0.0, 0
    # validation_step runs the module in eval mode, under inference_mode.
    for Xi, _ in SliceIterator(dataset, INFERENCE_BATCH_ROWS, device=net.device):
        loss = net.validation_step((Xi, None))["loss"]
        total += float(loss) * Xi.shape[0]
        rows += Xi.shape[0]
    return total / max(rows, 1)


class ValidationEarlyStopping(EarlyStopping):
    """skorch's EarlyStopping, inert in epochs without a validation loss (e.g. the
    single pass of ``partial_fit``)."""

    def on_epoch_end(self, net, **kwargs):
        if self.monitor in net.history[-1]:
            super().on_epoch_end(net, **kwargs)


class SemiSupervisedNet(SliceNet):
    """Fine-tunes an :class:`~skae._modules.EncoderClassifier` on all rows at once.

    The training targets ``y`` have three columns per row: a class index (the true
    one for labeled rows, a pseudo-label for the others), its weight, and whether
    the row is labeled. Each step adds:

    - cross-entropy on a batch of labeled rows, drawn beside the batch of all rows
      so that every step sees labels even when they are a tiny share of the data;
    - reconstruction of the batch by the autoencoder's own
      :class:`~skae._losses.ReconstructionLoss` (its arguments are
      ``reconstruction_loss``, the autoencoder net's ``criterion__*``
      parameters), weight ``reconstruction_weight``;
    - weighted cross-entropy to the batch's pseudo-labels (weight 0 = none);
    - self-training: cross-entropy to the teacher's prediction on the clean row
      where the teacher is at least ``confidence_threshold`` sure, weight
      ``self_training_weight``, ramped up over the first ``ramp_epochs`` epochs
      (skipped when the threshold is None).

    Inputs get Gaussian ``noise`` (and the module's dropout) while the teacher sees
    clean rows: consistency under perturbation is what self-training learns from.
    """

    def __init__(
        self,
        *args,
        class_weight=None,
        reconstruction_weight=1.0,
        reconstruction_loss=None,
        noise=0.0,
        confidence_threshold=None,
        ramp_epochs=1.0,
        self_training_weight=1.0,
        teacher_decay=0.99,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.class_weight = class_weight
        self.reconstruction_weight = reconstruction_weight
        self.reconstruction_loss = reconstruction_loss
        self.noise = noise
        self.confidence_threshold = confidence_threshold
        self.ramp_epochs = ramp_epochs
        self.self_training_weight = self_training_weight
        self.teacher_decay = teacher_decay
        self.teacher_steps_ = 0

    def initialize_criterion(self):
        super().initialize_criterion()
        # A second criterion, built here as skorch asks (it then moves it to the device).
        self.reconstruction_loss_ = ReconstructionLoss(**(self.reconstruction_loss or {}))
        # Given as an array (a saved model holds no tensors); a tensor once, on the device.
        self.class_weight_ = None
        if self.class_weight is not None:
            self.class_weight_ = torch.as_tensor(
                self.class_weight, dtype=torch.float32, device=self.device
            )
        return self

    def get_split_datasets(self, X, y=None, **fit_params):
        # Labeled rows are drawn from the training part only, so that an early-stopping
        # validation loss measures rows the classifier never trained on.
        train, valid = super().get_split_datasets(X, y, **fit_params)
        if valid is not None and not (valid.y[:, 2] > 0).any():
            raise ValueError(
                "early_stopping=True needs labeled rows in the validation split, but there "
                "are too few labels to hold any out; fit without early stopping."
            )
        labeled = train.y[:, 2] > 0
        self.labeled_ = (train.X[labeled], train.y[labeled, 0].long())
        return train, valid

    def on_train_end(self, net, **kwargs):
        # Not part of the model: keep it out of pickles.
        self.labeled_ = None

    def _perturb(self, X):
        return X + self.noise * torch.randn_like(X) if self.noise > 0 else X

    def train_step(self, batch, **fit_params):
        step = super().train_step(batch, **fit_params)
        self.teacher_steps_ += 1
        self.module_.update_teacher(self.teacher_decay, self.teacher_steps_)
        return step

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        with self.autocast():
            loss, logits = self._loss(Xi, yi)
        self.backward(loss)
        return {"loss": loss, "y_pred": logits}

    def _loss(self, Xi, yi):
        X_labeled, y_labeled = self.labeled_
        rows = torch.randint(
            X_labeled.shape[0], (min(self.batch_size, X_labeled.shape[0]),), device=Xi.device
        )
        n_labeled = rows.shape[0]
        logits, output, _ = self.module_(self._perturb(torch.cat([X_labeled[rows], Xi])))
        class_weight = self.class_weight_
        loss = nn.functional.cross_entropy(logits[:n_labeled], y_labeled[rows], weight=class_weight)
        logits, output = logits[n_labeled:], output[n_labeled:]
        if self.reconstruction_weight > 0:
            reconstruction = self.reconstruction_loss_(output, Xi)
            loss = loss + self.reconstruction_weight * reconstruction
        targets, weights = yi[:, 0].long(), yi[:, 1]
        if weights.any():
            pseudo = nn.functional.cross_entropy(
                logits, targets, weight=class_weight, reduction="none"
            )
            loss = loss + (weights * pseudo).mean()
        if self.confidence_threshold is not None:
            with torch.no_grad():
                confidence, guess = self.module_.teacher_logits(Xi).softmax(-1).max(-1)
                confident = (confidence >= self.confidence_threshold).float()
            ramp = self.self_training_weight * min(1.0, self.epoch_progress() / self.ramp_epochs)
            self_training = nn.functional.cross_entropy(
                logits, guess, weight=class_weight, reduction="none"
            )
            loss = loss + ramp * (confident * self_training).mean()
        return loss, logits

    def validation_step(self, batch, **fit_params):
        """Cross-entropy of the teacher on the labeled rows of the batch."""
        self._set_training(False)
        Xi, yi = batch
        labeled = yi[:, 2] > 0
        with torch.inference_mode(), self.autocast():
            if not labeled.any():
                return {"loss": Xi.new_zeros(()), "y_pred": None}
            logits = self.module_.teacher_logits(Xi[labeled])
            loss = nn.functional.cross_entropy(logits, yi[labeled, 0].long())
        return {"loss": loss, "y_pred": logits}


def critic_loss(loss, real_scores, fake_scores):
    """The critic's loss for the adversarial objective ``loss``."""
    if loss == "wgan-gp":
        return fake_scores.mean() - real_scores.mean()
    if loss == "hinge":
        relu = nn.functional.relu
        return relu(1 - real_scores).mean() + relu(1 + fake_scores).mean()
    softplus = nn.functional.softplus  # "bce": the original GAN's discriminator
    return softplus(-real_scores).mean() + softplus(fake_scores).mean()


def generator_loss(loss, fake_scores):
    """The generator's loss; non-saturating for "bce"."""
    if loss == "bce":
        return nn.functional.softplus(-fake_scores).mean()
    return -fake_scores.mean()


class GANNet(SliceNet):
    """Alternating adversarial training of a :class:`~skae._modules.GAN`.

    ``optimizer_`` steps the critic (and the label classifier, if any) on every
    batch; ``generator_optimizer_`` steps the generator after every ``n_critic``
    critic steps. The history records ``critic_loss`` (also as ``train_loss``) and
    ``generator_loss`` per batch and epoch.

    Parameters (beyond :class:`SliceNet`'s)
    ---------------------------------------
    loss : {"wgan-gp", "bce", "hinge"}
    n_critic : int
    gradient_penalty : float
        Weight of the penalty on the critic's gradient norm at random
        interpolates of real and fake rows (0 disables it).
    ema_decay : float
        Decay of the generator's weight average used for sampling.
    label_loss : float
        Weight of the label classifier's cross-entropy on generated rows in the
        generator's loss (needs the module's ``classifier``).
    lr_decay : {"constant", "cosine"}
        Learning-rate schedule over each call's training (``fit_loop``).
    """

    def __init__(
        self,
        *args,
        loss="wgan-gp",
        n_critic=5,
        gradient_penalty=10.0,
        ema_decay=0.999,
        label_loss=0.0,
        lr_decay="constant",
        batches_per_epoch=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.batches_per_epoch = batches_per_epoch
        self.critic_steps_ = 0
        self.decay_span_ = None
        self.loss = loss
        self.n_critic = n_critic
        self.gradient_penalty = gradient_penalty
        self.ema_decay = ema_decay
        self.label_loss = label_loss
        self.lr_decay = lr_decay

    def initialize_optimizer(self, triggered_directly=None):
        kwargs = self.get_params_for("optimizer")
        kwargs.setdefault("lr", self.lr)
        # The label classifier learns on every batch, like the critic, from a loss of
        # its own; their parameters are disjoint, so one backward pass and one step
        # on the summed loss give each exactly its own update (gradient clipping, if
        # asked for, then sees their joint norm).
        critic, generator = self._players()
        self.optimizer_ = self.optimizer([p for _, p in critic], **kwargs)
        self.generator_optimizer_ = self.optimizer([p for _, p in generator], **kwargs)
        return self

    def _players(self):
        """``(critic_side, generator)``: the named parameters each optimizer trains.

        The critic side is the critic and the label classifier. Listed once per
        fit rather than walked in the module tree at every step (see ``_update``).
        """
        named = list(self.module_.named_parameters())
        critic = [(n, p) for n, p in named if n.startswith(("critic.", "classifier."))]
        generator = [(n, p) for n, p in named if n.startswith("generator.")]
        return critic, generator

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.players_ = self._players()

    def __getstate__(self):
        state = super().__getstate__()
        # References into ``module_``, which skorch pickles on its own: unpickled,
        # they would point at copies. Rebuilt at the next fit.
        state.pop("players_", None)
        return state

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # The schedule spans this call's batches, so a warm-started fit decays anew.
        epochs = self.max_epochs if epochs is None else epochs
        self.decay_span_ = (self.critic_steps_, epochs * (self.batches_per_epoch or 1))
        return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def progress_units(self):
        # Shown in generator steps, the unit of ``max_steps``.
        return "step", self.call_epochs_ * (self.batches_per_epoch or 1) / self.n_critic

    def progress_per_batch(self):
        return 1 / self.n_critic

    def progress_losses(self):
        return {"critic loss": "critic_loss", "generator loss": "generator_loss"}

    def _all_optimizers(self):
        return [self.optimizer_, self.generator_optimizer_]

    def _schedule_lr(self):
        """Cosine decay towards zero: training can start at a high rate, and the
        last steps settle the two players instead of letting them circle each other."""
        if self.lr_decay == "constant" or self.decay_span_ is None:
            return
        start, length = self.decay_span_
        progress = min(1.0, (self.critic_steps_ - start) / max(1, length))
        factor = 0.5 * (1 + math.cos(math.pi * progress))
        for opt in self._all_optimizers():
            for group in opt.param_groups:
                group["lr"] = group.setdefault("initial_lr", group["lr"]) * factor

    def _onehot(self, y):
        if self.module_.n_classes == 0 or y is None:
            return None
        return nn.functional.one_hot(y, self.module_.n_classes).to(torch.float32)

    def _fake(self, onehot, n):
        z = torch.randn(n, self.module_.latent_dim, device=self.device)
        return self.module_.generate(z, onehot)

    def _penalty(self, real, fake, onehot):
        alpha = torch.rand(real.shape[0] // self.module_.pac, 1, device=real.device)
        alpha = alpha.repeat_interleave(self.module_.pac, dim=0)
        mixed = alpha * real + (1 - alpha) * fake
        grad = self.module_.critic_input_gradient(mixed, onehot)
        return ((grad.norm(dim=1) - 1) ** 2).mean()

    def _whole_packs(self, batch):
        """``(real, y, onehot, n)`` for the batch cut to whole PacGAN packs (n may be 0)."""
        real, y = batch
        n = real.shape[0] - real.shape[0] % self.module_.pac
        y = None if y is None else y[:n]
        return real[:n], y, self._onehot(y), n

    def _update(self, loss, optimizer, named_parameters, batch):
        """One step of ``optimizer`` on ``loss`` for one player's parameters: the
        critic side and the generator each step on their own loss. Gradients
        reach only these parameters (``backward(inputs=...)``), so the other
        player's weights need not be frozen for the pass."""
        optimizer.zero_grad(set_to_none=True)
        self.grad_scaler_.scale(loss).backward(inputs=[p for _, p in named_parameters])
        self.step_optimizers([optimizer], named_parameters, batch=batch)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        real, y, onehot, n = self._whole_packs(batch)
        if n == 0:
            return {"loss": torch.zeros((), device=real.device), "y_pred": None}
        self._schedule_lr()
        labelled = self.module_.classifier is not None and y is not None

        with self.autocast():
            with torch.no_grad():  # the critic's step does not train the generator
                fake = self._fake(onehot, n)
            # One pass over real and fake rows together: half the calls of two.
            both = None if onehot is None else onehot.repeat(2, 1)
            scores = self.module_.criticise(torch.cat([real, fake.to(real.dtype)]), both)
            loss = critic_loss(self.loss, *scores.split(n // self.module_.pac))
        if self.gradient_penalty > 0:
            # In float32: the penalty differentiates a gradient, which float16 underflows.
            loss = loss + self.gradient_penalty * self._penalty(real, fake.float(), onehot)
        step_loss = loss
        if labelled:
            with self.autocast():
                step_loss = loss + nn.functional.cross_entropy(self.module_.classifier(real), y)
        critic_side, generator = self.players_
        self._update(step_loss, self.optimizer_, critic_side, batch)

        self.critic_steps_ += 1
        if self.critic_steps_ % self.n_critic == 0:
            with self.autocast():
                fake = self._fake(onehot, n)
                g_loss = generator_loss(self.loss, self.module_.criticise(fake, onehot))
                if labelled and self.label_loss > 0:
                    label_loss = nn.functional.cross_entropy(self.module_.classifier(fake), y)
                    g_loss = g_loss + self.label_loss * label_loss
            self._update(g_loss, self.generator_optimizer_, generator, batch)
            self.module_.update_ema(self.ema_decay, self.critic_steps_ // self.n_critic)
            self.history.record_batch("generator_loss", g_loss.item())
        self.history.record_batch("critic_loss", loss.item())
        return {"loss": loss.detach(), "y_pred": None}

    def validation_step(self, batch, **fit_params):
        """Minus the critic's loss on held-out real rows against fresh fakes."""
        self._set_training(False)
        real, _, onehot, n = self._whole_packs(batch)
        if n == 0:
            return {"loss": torch.zeros((), device=real.device), "y_pred": None}
        with torch.no_grad(), self.autocast():
            fake = self._fake(onehot, n)
            loss = critic_loss(
                self.loss,
                self.module_.criticise(real, onehot),
                self.module_.criticise(fake, onehot),
            )
        # Lower is better for the generator: the critic's advantage on unseen rows
        # (for WGAN, the estimated Wasserstein distance).
        return {"loss": -loss, "y_pred": None}
