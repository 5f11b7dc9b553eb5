"""The variational autoencoder's torch side: the module (a Gaussian encoder, a
decoder of the table's likelihood), the negative evidence lower bound, and the
skorch net that trains it with the reparameterisation trick."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._losses import add_block_cross_entropy, mask_gaps
from ._modules import conv_decoder, conv_encoder, mlp
from ._nets import ReconstructionNet

# Smallest standard deviation of a numeric column's Gaussian, in model units (as
# SDV's TVAE): without a floor, a column that is constant in the data (the blank
# corner pixels of digits) drives its deviation, and the likelihood, to infinity.
MIN_STD = 0.01
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class VAE(nn.Module):
    """A variational autoencoder of rows of a model matrix.

    The encoder maps a row to the mean and log-variance of a diagonal Gaussian
    posterior over ``encoding_dim`` codes; the decoder maps a code (and, for a
    conditional model, the one-hot label) to the mean of each numeric column's
    Gaussian and the logits of each one-hot block. ``log_std`` holds one learned
    log standard deviation per numeric column.

    ``forward(x, onehot)`` returns ``(output, log_std, mean, log_var)``: ``output``
    is decoded from a reparameterised draw of the posterior in training, from its
    mean in evaluation.

    With ``image_shape`` (``(channels, height, width)`` of the images whose pixels
    make a row) the encoder and decoder are convolutional: strided convolutions of
    ``conv_channels``, then the MLP of ``hidden_dims`` (see
    :func:`~skae._modules.conv_encoder`).
    """

    def __init__(
        self,
        n_features,
        encoding_dim,
        hidden_dims=(128,),
        *,
        n_numeric,
        n_classes=0,
        activation="relu",
        batch_norm=False,
        dropout=0.0,
        image_shape=None,
        conv_channels=(32, 64),
    ):
        super().__init__()
        block = dict(activation=activation, batch_norm=batch_norm, dropout=dropout)
        if image_shape is None:
            self.encoder = mlp(n_features, hidden_dims, 2 * encoding_dim, **block)
            self.decoder = mlp(
                encoding_dim + n_classes, tuple(reversed(hidden_dims)), n_features, **block
            )
        else:
            self.encoder = conv_encoder(
                image_shape, conv_channels, hidden_dims, 2 * encoding_dim, **block
            )
            self.decoder = conv_decoder(
                encoding_dim + n_classes, conv_channels, hidden_dims, image_shape, **block
            )
        self.log_std = nn.Parameter(torch.zeros(n_numeric))
        self.encoding_dim = encoding_dim
        self.n_classes = n_classes

    @torch.no_grad()
    def init_independent(self, output_bias, log_std):
        """Start as the model of independent columns: the decoder's output is
        ``output_bias`` (each column's mean, each block's log-frequencies) whatever
        the code, with deviations ``log_std``; training adds what the codes explain."""
        last = self.decoder[-1]
        last.weight.zero_()
        last.bias.copy_(output_bias)
        self.log_std.copy_(log_std)

    def encode(self, x):
        """``(mean, log_var)`` of the posterior over codes."""
        mean, log_var = self.encoder(x).chunk(2, dim=1)
        return mean, log_var

    def posterior_mean(self, x):
        return self.encode(x)[0]

    def decode(self, z, onehot=None):
        """The decoder's output: numeric means, then the blocks' logits."""
        return self.decoder(z if onehot is None else torch.cat([z, onehot], dim=1))

    def numeric_log_std(self):
        return self.log_std.clamp(min=math.log(MIN_STD))

    def forward(self, x, onehot=None):
        mean, log_var = self.encode(x)
        z = mean
        if self.training:  # the reparameterisation trick
            z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        return self.decode(z, onehot), self.numeric_log_std(), mean, log_var


class NegativeELBO(nn.Module):
    """Per-row negative evidence lower bound of a :class:`VAE`'s output against the
    model matrix it encoded: the negative log-likelihood of the row given the code
    plus ``beta`` times the KL divergence of the posterior from the standard
    normal prior.

    The likelihood is a Gaussian of learned standard deviation for each numeric
    column (observed entries only: a gap was filled, there is nothing to
    reconstruct) and a categorical distribution (the softmax) for each one-hot
    block; both are summed over the table's columns, in nats.

    Parameters
    ----------
    n_numeric : int
        Numeric columns, the first columns of the matrix.
    blocks : list of (int, int)
        ``(start, stop)`` of each one-hot block.
    observed : list of (int, int)
        ``(numeric column, column of its "observed" slot)`` for columns with gaps.
    """

    def __init__(self, n_numeric, blocks=(), observed=()):
        super().__init__()
        self.n_numeric = n_numeric
        self.blocks = [tuple(b) for b in blocks]
        self.observed = [tuple(o) for o in observed]

    def reconstruction(self, output, log_std, target):
        """``-log p(x | z)`` of each row."""
        k = self.n_numeric
        scaled = (target[:, :k] - output[:, :k]) * torch.exp(-log_std)
        numeric = mask_gaps(0.5 * scaled.square() + log_std + HALF_LOG_2PI, target, self.observed)
        return add_block_cross_entropy(numeric.sum(1), output, target, self.blocks)

    @staticmethod
    def kl(mean, log_var):
        """``KL(q(z | x) || N(0, I))`` of each row."""
        return 0.5 * (mean.square() + log_var.exp() - 1 - log_var).sum(1)

    def rows(self, y_pred, target, beta=1.0):
        output, log_std, mean, log_var = y_pred
        return self.reconstruction(output, log_std, target) + beta * self.kl(mean, log_var)

    def forward(self, y_pred, target, beta=1.0):
        return self.rows(y_pred, target, beta).mean()


class VAENet(ReconstructionNet):
    """Trains a :class:`VAE` on the negative ELBO; for a conditional module the
    batch's targets are label codes, fed one-hot to the decoder.

    Parameters (beyond :class:`SliceNet`'s)
    ---------------------------------------
    beta : float
        Weight of the KL term (a beta-VAE for beta != 1).
    kl_warmup : int
        Epochs over which the KL weight rises linearly from 0 to ``beta``; the
        validation loss is always the full negative ELBO.
    """

    def __init__(self, *args, beta=1.0, kl_warmup=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.beta = beta
        self.kl_warmup = kl_warmup

    def onehot(self, y):
        if self.module_.n_classes == 0 or y is None:
            return None
        return F.one_hot(y, self.module_.n_classes).to(torch.float32)

    def kl_weight(self):
        if not self.kl_warmup:
            return self.beta
        return self.beta * min(1.0, self.epoch_progress() / self.kl_warmup)

    def module_inputs(self, Xi, yi, training):
        return Xi, self.onehot(yi)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # The loss is computed in float32: float16 overflows exp(-log_std) squared.
        y_pred = tuple(t.float() for t in y_pred)
        return self.criterion_(y_pred, y_true.float(), self.kl_weight() if training else 1.0)
