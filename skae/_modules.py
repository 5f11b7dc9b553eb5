"""Torch modules: MLP blocks and the autoencoder built from them."""

import copy

import torch
from torch import nn

# Hidden width of the GAN's auxiliary label classifier.
CLASSIFIER_WIDTH = 128
# Temperature of the generator's Gumbel-softmax blocks: CTGAN's 0.2 gives draws
# close to one-hot that still carry gradients.
GUMBEL_TAU = 0.2
# Critic layers whose input gradient GAN.critic_input_gradient builds in closed form.
PIECEWISE_LINEAR = (nn.Linear, nn.ReLU, nn.LeakyReLU)

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "prelu": nn.PReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}


def resolve_activation(activation, image_shape):
    """The hidden activation that ``activation="auto"`` stands for: ReLU for MLPs,
    GELU for convolutional nets (``image_shape``), whose held-out reconstructions
    it improves where it makes an MLP's worse (benchmarks/bench_images.py)."""
    if activation != "auto":
        return activation
    return "relu" if image_shape is None else "gelu"


def mlp(in_dim, hidden_dims, out_dim, *, activation="relu", batch_norm=False, dropout=0.0):
    """``Linear -> [BatchNorm] -> activation -> [Dropout]`` per hidden width, then a
    final ``Linear`` to ``out_dim`` without activation."""
    layers = []
    width = in_dim
    for hidden in hidden_dims:
        layers.append(nn.Linear(width, hidden))
        _activation_block(
            layers, hidden, activation=activation, batch_norm=batch_norm, dropout=dropout
        )
        width = hidden
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


def _activation_block(
    layers, width, *, activation="relu", batch_norm=False, dropout=0.0, norm=nn.BatchNorm1d
):
    """Append ``[BatchNorm] -> activation -> [Dropout]`` after a layer of ``width``
    (``norm=nn.BatchNorm2d`` after a convolution)."""
    if batch_norm:
        layers.append(norm(width))
    layers.append(ACTIVATIONS[activation]())
    if dropout > 0:
        layers.append(nn.Dropout(dropout))


def _halved(size):
    """Height or width after a stride-2 convolution of kernel 3, padding 1."""
    return (size + 1) // 2


def _conv_sizes(image_shape, n_blocks):
    """``(height, width)`` of the image and after each of ``n_blocks`` strided blocks."""
    _, height, width = image_shape
    sizes = [(height, width)]
    for _ in range(n_blocks):
        sizes.append(tuple(_halved(s) for s in sizes[-1]))
    return sizes


def _upsampling(in_channels, out_channels, in_size, out_size):
    """A transposed convolution that doubles ``in_size``, one short where ``out_size``
    is odd: the exact mirror of a stride-2 block, so that no cropping is needed."""
    padding = tuple(o - (2 * i - 1) for i, o in zip(in_size, out_size, strict=True))
    layer = nn.ConvTranspose2d(
        in_channels, out_channels, 3, stride=2, padding=1, output_padding=padding
    )
    return _positioned(layer, in_size)


def _channels_last(module):
    """``module`` with its convolution weights in channels-last memory, which the
    feature maps then follow: a 3-epoch fit of the default network on 4,000 28x28
    images took 8.2 s against 11.4 s in torch's default layout (2 CPU cores).
    The outputs for given weights are the same; training differs by rounding."""
    return module.to(memory_format=torch.channels_last)


def _positioned(layer, size):
    """Tag a convolution with the positions its kernel is applied at (output
    positions; input positions for a transposed one), which its weight count
    alone does not tell: :func:`~skae._threads.work_per_batch` reads it."""
    layer.positions = size[0] * size[1]
    return layer


def conv_encoder(image_shape, channels, hidden_dims, out_dim, **block):
    """Rows of flattened ``(C, H, W)`` images to ``out_dim`` values: a stride-2
    ``Conv2d`` (kernel 3) -> [BatchNorm] -> activation -> [Dropout] per width of
    ``channels``, each halving height and width (rounding up), then the flattened
    feature map through an MLP of ``hidden_dims`` (:func:`mlp`; ``block`` holds its
    ``activation``, ``batch_norm`` and ``dropout``, which the convolutions share).

    Input and output are 2-D, as for :func:`mlp`: the batch stays one contiguous
    matrix until the module reshapes it (a view, no copy).
    """
    sizes = _conv_sizes(image_shape, len(channels))
    layers = [nn.Unflatten(1, tuple(image_shape))]
    width = image_shape[0]
    for hidden, size in zip(channels, sizes[1:], strict=True):
        layers.append(_positioned(nn.Conv2d(width, hidden, 3, stride=2, padding=1), size))
        _activation_block(layers, hidden, norm=nn.BatchNorm2d, **block)
        width = hidden
    height, breadth = sizes[-1]
    layers += [nn.Flatten(), *mlp(width * height * breadth, hidden_dims, out_dim, **block)]
    return _channels_last(nn.Sequential(*layers))


class ImageOutput(nn.Module):
    """The last block of :func:`conv_decoder`: a stride-1 convolution (kernel 3,
    no bias) at the image's full resolution to its channels, flattened, plus a
    bias per pixel. Every output pixel is thus computed from a 3 x 3 neighbourhood
    of feature vectors, not from the one or two input positions a transposed
    convolution places it under.

    ``weight`` and ``bias`` are those of the output, as for a final ``Linear``: a
    start that zeroes ``weight`` and sets ``bias`` (a mean image) makes the decoder
    output that image whatever the code, which a per-channel bias could not.
    """

    def __init__(self, in_channels, image_shape):
        super().__init__()
        channels, height, width = image_shape
        self.conv = _positioned(
            nn.Conv2d(in_channels, channels, 3, padding=1, bias=False), (height, width)
        )
        self.bias = nn.Parameter(torch.zeros(channels * height * width))

    @property
    def weight(self):
        return self.conv.weight

    def forward(self, x):
        return self.conv(x).flatten(1) + self.bias


def _refinement_channels(channels):
    """Channels of the decoder's full-resolution feature map: half the first
    stage's, as that map has four times its positions."""
    return max(1, channels[0] // 2)


def conv_decoder(in_dim, channels, hidden_dims, image_shape, **block):
    """The mirror of :func:`conv_encoder` with the same ``channels`` and
    ``hidden_dims``: an MLP of ``hidden_dims`` reversed from ``in_dim`` to the
    encoder's last feature map, then a stride-2 ``ConvTranspose2d`` ->
    [BatchNorm] -> activation -> [Dropout] per width of ``channels`` in reverse,
    the last to the full resolution with half the first width's channels
    (:func:`_refinement_channels`), and an :class:`ImageOutput` (a stride-1
    convolution, without activation). Each transposed convolution doubles height
    and width, one short where the encoder rounded up, so odd sizes (7 x 9) come
    out exact.
    """
    sizes = _conv_sizes(image_shape, len(channels))
    widths = list(reversed(channels))
    height, breadth = sizes[-1]
    flat = widths[0] * height * breadth
    layers = list(mlp(in_dim, tuple(reversed(hidden_dims)), flat, **block))
    _activation_block(layers, flat, **block)
    layers.append(nn.Unflatten(1, (widths[0], height, breadth)))
    sizes = sizes[::-1]
    narrower = [*widths[1:], _refinement_channels(channels)]
    for i, (width, out) in enumerate(zip(widths, narrower, strict=True)):
        layers.append(_upsampling(width, out, sizes[i], sizes[i + 1]))
        _activation_block(layers, out, norm=nn.BatchNorm2d, **block)
    layers.append(ImageOutput(narrower[-1], image_shape))
    return _channels_last(nn.Sequential(*layers))


class ResidualLinear(nn.Module):
    """``linear(x) + mlp(x)``: a linear map with a nonlinear correction.

    With the linear part set to a PCA projection and the correction's last layer at
    zero, the module starts out as exactly PCA and training can only add to it.
    """

    def __init__(self, linear, nonlinear):
        super().__init__()
        self.linear = linear
        self.nonlinear = nonlinear

    def forward(self, x):
        return self.linear(x) + self.nonlinear(x)


# Activations that are the identity on non-negative inputs: a hidden unit fed
# ``z + shift`` with the shift above ``-z`` on the data carries ``z`` unchanged.
IDENTITY_ABOVE_ZERO = ("relu", "leaky_relu", "prelu", "elu")


def can_hold_linear(hidden_dims, n_channels, *, activation, batch_norm, dropout):
    """Whether an MLP of these hidden widths can start as a linear map of
    ``n_channels`` channels through shifted hidden units (see :func:`embed_affine`).
    Batch normalisation and dropout would rescale those units in training."""
    return (
        activation in IDENTITY_ABOVE_ZERO
        and not batch_norm
        and not dropout
        and all(width >= n_channels for width in hidden_dims)
    )


@torch.no_grad()
def embed_affine(layers, first_weight, first_bias, last_weight, last_bias, shift):
    """Set the MLP ``layers`` (built by :func:`mlp`) to compute
    ``last_weight @ (first_weight @ x + first_bias) + last_bias`` on the data.

    Channel ``i`` of the inner map runs through hidden unit ``i`` of every hidden
    layer as ``z_i + shift_i``: with ``shift_i`` at or above ``-z_i`` on the data,
    the activation passes it unchanged, and the output layer's bias takes the shift
    back off. The other hidden units keep their random incoming weights and start
    with zero outgoing weights, so they add nothing yet: what
    :class:`ResidualLinear` does with a separate linear path, at no extra cost per
    step.
    """
    first, *middle, last = [layer for layer in layers if isinstance(layer, nn.Linear)]
    m = first_weight.shape[0]
    first.weight[:m] = first_weight
    first.bias[:m] = first_bias + shift
    for layer in middle:  # pass each channel on unchanged
        layer.weight[:m].zero_()
        layer.weight[:m, :m] = torch.eye(m, dtype=layer.weight.dtype, device=shift.device)
        layer.bias[:m].zero_()
    last.weight.zero_()
    last.weight[:, :m] = last_weight
    last.bias.copy_(last_bias - last_weight @ shift)


class Autoencoder(nn.Module):
    """An MLP encoder and a mirrored MLP decoder; with ``image_shape``, a
    convolutional encoder and decoder (:func:`conv_encoder`, :func:`conv_decoder`)
    on rows of flattened images.

    ``forward`` returns ``(output, code)`` where ``output`` is the decoder's
    pre-activation: losses such as BCE-with-logits want it; ``reconstruct`` applies
    the output activation.

    Parameters
    ----------
    n_features, encoding_dim : int
    hidden_dims : tuple of int
        Encoder widths (after the convolutions with ``image_shape``); the decoder
        uses them reversed.
    activation : str
    output_activation : {None, "sigmoid"}
    batch_norm : bool
    dropout : float
    linear_path : bool
        Add a linear map beside each MLP (see :class:`ResidualLinear`), for
        :meth:`init_linear` where the MLPs cannot hold the map themselves (see
        :func:`can_hold_linear`).
    image_shape : tuple of (int, int, int) or None
        ``(channels, height, width)`` of the images whose pixels (channel first)
        make a row.
    conv_channels : tuple of int
        Channels of the strided convolutions, with ``image_shape``.
    """

    def __init__(
        self,
        n_features,
        encoding_dim,
        hidden_dims=(128,),
        *,
        activation="relu",
        output_activation=None,
        batch_norm=False,
        dropout=0.0,
        linear_path=False,
        image_shape=None,
        conv_channels=(32, 64),
    ):
        super().__init__()
        block = dict(activation=activation, batch_norm=batch_norm, dropout=dropout)
        if image_shape is None:
            encoder = mlp(n_features, hidden_dims, encoding_dim, **block)
            decoder = mlp(encoding_dim, tuple(reversed(hidden_dims)), n_features, **block)
        else:
            encoder = conv_encoder(image_shape, conv_channels, hidden_dims, encoding_dim, **block)
            decoder = conv_decoder(encoding_dim, conv_channels, hidden_dims, image_shape, **block)
        if linear_path:
            encoder = ResidualLinear(nn.Linear(n_features, encoding_dim), encoder)
            decoder = ResidualLinear(nn.Linear(encoding_dim, n_features), decoder)
        self.encoder = encoder
        self.decoder = decoder
        self.encoding_dim = encoding_dim
        self.output_activation = output_activation

    def forward(self, x):
        code = self.encoder(x)
        return self.decoder(code), code

    def activate(self, output):
        """Map the decoder's pre-activation to data space."""
        if self.output_activation == "sigmoid":
            return torch.sigmoid(output)
        return output

    def reconstruct(self, x):
        return self.activate(self.decoder(self.encoder(x)))

    @torch.no_grad()
    def init_linear(self, enc_weight, enc_bias, dec_weight, dec_bias, code_floor):
        """Start as the linear autoencoder ``enc_weight``, ``dec_weight`` (e.g. PCA):
        in the linear paths with the MLPs' last layers at zero when the module has
        them, otherwise inside the MLPs through shifted hidden units
        (:func:`embed_affine`), exact for codes above ``code_floor``.

        ``enc_weight`` has ``k <= encoding_dim`` rows; the remaining code units start
        at zero and are left to the nonlinear part.
        """
        k = enc_weight.shape[0]
        if isinstance(self.encoder, ResidualLinear):
            enc, dec = self.encoder.linear, self.decoder.linear
            enc.weight.zero_()
            enc.weight[:k] = enc_weight
            enc.bias.zero_()
            enc.bias[:k] = enc_bias
            dec.weight.zero_()
            dec.weight[:, :k] = dec_weight
            dec.bias.copy_(dec_bias)
            for correction in (self.encoder.nonlinear, self.decoder.nonlinear):
                correction[-1].weight.zero_()
                correction[-1].bias.zero_()
            return
        eye = torch.eye(self.encoding_dim, k, dtype=enc_weight.dtype, device=enc_weight.device)
        shift = -code_floor
        embed_affine(self.encoder, enc_weight, enc_bias, eye, torch.zeros_like(eye[:, 0]), shift)
        embed_affine(self.decoder, eye.T, torch.zeros_like(shift), dec_weight, dec_bias, shift)


def padded_block_indices(blocks):
    """Index tensors that gather the block columns of a generator's output (from
    the first block on) into a ``(blocks x widest)`` padded layout, the padding
    pointing one past the last column, and back: ``(padded index, slot index)``."""
    first = blocks[0][0]
    widest = max(stop - start for start, stop in blocks)
    pad = blocks[-1][1] - first  # one past the last column: the -inf wall
    padded, slots = [], []
    for b, (start, stop) in enumerate(blocks):
        width = stop - start
        padded += [start - first + j for j in range(width)] + [pad] * (widest - width)
        slots += [b * widest + j for j in range(width)]
    return torch.tensor(padded), torch.tensor(slots)


def update_ema(average, live, decay, step):
    """Move ``average``'s parameters towards ``live``'s; copy buffers (e.g. batch-norm
    statistics) as they are.

    The decay warms up as ``(1 + step) / (10 + step)`` until it reaches ``decay``, so
    that a short training run is not averaged with its random initialisation.
    """
    decay = min(decay, (1 + step) / (10 + step))
    with torch.no_grad():
        # One fused call for all parameters (as torch.optim.swa_utils does).
        torch._foreach_lerp_(list(average.parameters()), list(live.parameters()), 1 - decay)
        for avg, cur in zip(average.buffers(), live.buffers(), strict=True):
            avg.copy_(cur)


class EncoderClassifier(nn.Module):
    """A (pretrained) :class:`Autoencoder` with a linear head on its code; the decoder
    stays so that reconstruction can regularise fine-tuning.

    ``teacher`` is an exponential moving average of encoder and head: it labels
    unlabeled rows during training (it is steadier than the live weights) and is
    the model used for prediction.

    ``forward`` returns ``(logits, decoder_output, code)`` of the live weights.
    """

    def __init__(self, autoencoder, n_classes):
        super().__init__()
        self.autoencoder = autoencoder
        self.head = nn.Linear(autoencoder.encoding_dim, n_classes)
        self.teacher = copy.deepcopy(
            nn.ModuleDict({"encoder": autoencoder.encoder, "head": self.head})
        ).requires_grad_(False)

    def train(self, mode=True):
        super().train(mode)
        self.teacher.train(False)  # the teacher never uses dropout or batch statistics
        return self

    def forward(self, x):
        output, code = self.autoencoder(x)
        return self.head(code), output, code

    def teacher_logits(self, x):
        return self.teacher["head"](self.teacher["encoder"](x))

    def teacher_encode(self, x):
        return self.teacher["encoder"](x)

    def activate(self, output):
        return self.autoencoder.activate(output)

    def update_teacher(self, decay, step):
        update_ema(self.teacher["encoder"], self.autoencoder.encoder, decay, step)
        update_ema(self.teacher["head"], self.head, decay, step)


class GAN(nn.Module):
    """A generator and a critic, kept in one container so that skorch moves, saves
    and restores them together; each has its own optimizer in
    :class:`~skae._nets.GANNet`.

    The generator maps ``[z, onehot(y)]`` to a row (``blocks`` are the one-hot
    blocks of categorical columns, after the numeric ones); the critic scores ``pac`` rows
    at once (PacGAN), each concatenated with its one-hot label, which lets it see
    the diversity of a batch and so penalise mode collapse.

    ``generator_ema`` is an exponential moving average of the generator's weights,
    used for sampling: it averages out the oscillation of adversarial training.

    With ``label_classifier=True`` (conditional only) ``classifier`` is an MLP
    trained on real rows to predict their label; its verdict on generated rows
    gives the generator an extra signal to respect the requested label.
    """

    def __init__(
        self,
        n_features,
        latent_dim,
        generator_hidden_dims,
        critic_hidden_dims,
        *,
        n_classes=0,
        pac=1,
        activation="relu",
        critic_activation="leaky_relu",
        batch_norm=False,
        dropout=0.0,
        label_classifier=False,
        blocks=(),
    ):
        super().__init__()
        self.latent_dim = latent_dim
        self.blocks = [tuple(block) for block in blocks]
        if self.blocks:
            padded, slots = padded_block_indices(self.blocks)
            self.register_buffer("block_padded_index", padded, persistent=False)
            self.register_buffer("block_slot_index", slots, persistent=False)
        self.n_classes = n_classes
        self.pac = pac
        self.generator = mlp(
            latent_dim + n_classes,
            generator_hidden_dims,
            n_features,
            activation=activation,
            batch_norm=batch_norm,
        )
        self.critic = mlp(
            pac * (n_features + n_classes),
            critic_hidden_dims,
            1,
            activation=critic_activation,
            dropout=dropout,
        )
        self.generator_ema = copy.deepcopy(self.generator).requires_grad_(False)
        self.classifier = None
        if label_classifier and n_classes > 0:
            # One narrow layer: telling the classes apart is easier than telling
            # real from fake, and the classifier runs twice per step.
            self.classifier = mlp(
                n_features, (CLASSIFIER_WIDTH,), n_classes, activation=critic_activation
            )

    def _with_labels(self, x, onehot):
        return x if onehot is None else torch.cat([x, onehot], dim=1)

    def generate(self, z, onehot=None, *, ema=False):
        """Rows as the critic sees them: each one-hot block of the output (a
        categorical column) goes through a Gumbel-softmax, a differentiable draw
        of one level that is nearly one-hot at ``GUMBEL_TAU``."""
        generator = self.generator_ema if ema else self.generator
        output = generator(self._with_labels(z, onehot))
        if not self.blocks:
            return output
        first = self.blocks[0][0]
        gumbel = -torch.empty_like(output[:, first:]).exponential_().log()
        return torch.cat([output[:, :first], self.block_softmax(output[:, first:], gumbel)], 1)

    def block_softmax(self, logits, gumbel):
        """``softmax((logits + gumbel) / GUMBEL_TAU)`` within each block, for all
        blocks at once: the blocks are gathered into one padded ``(rows, blocks,
        widest)`` tensor (padding at -inf, which the softmax gives zero weight),
        which costs a few kernels however many categorical columns there are,
        where one Gumbel-softmax per block took a fifth of a fit on a table of
        seven."""
        rows = logits.shape[0]
        wall = logits.new_full((rows, 1), float("-inf"))
        scores = torch.cat([(logits + gumbel) / GUMBEL_TAU, wall], 1)
        padded = scores[:, self.block_padded_index].view(rows, len(self.blocks), -1)
        return padded.softmax(-1).view(rows, -1)[:, self.block_slot_index]

    def criticise(self, x, onehot=None):
        """One score per pack of ``pac`` consecutive rows (``len(x)`` divisible by it)."""
        packed = self._with_labels(x, onehot).reshape(x.shape[0] // self.pac, -1)
        return self.critic(packed).squeeze(1)

    def critic_input_gradient(self, x, onehot=None):
        """Gradient of each pack's score with respect to its rows of ``x`` (labels
        left out): shape ``(len(x) // pac, pac * n_features)``, differentiable in
        the critic's weights, for the gradient penalty.

        A critic of linear layers and (leaky) ReLUs is piecewise linear, so its
        gradient at ``x`` is its weight matrices chained through the activations'
        slopes at ``x``, slopes that do not move with the weights. Built so, the
        penalty's step takes one backward pass, where differentiating autograd's
        gradient takes a second-order pass through the whole critic (the same
        values, 1.3-1.5x slower). Other critics fall back to autograd.
        """
        packs = x.shape[0] // self.pac
        if not all(isinstance(layer, PIECEWISE_LINEAR) for layer in self.critic):
            x = x.detach().requires_grad_(True)
            scores = self.criticise(x, onehot)
            (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
            return grad.reshape(packs, -1)
        inputs = []  # of each activation, where it sets the slope
        with torch.no_grad():
            hidden = self._with_labels(x, onehot).reshape(packs, -1)
            for layer in self.critic:
                if not isinstance(layer, nn.Linear):
                    inputs.append((layer, hidden))
                hidden = layer(hidden)
        linears = [layer for layer in self.critic if isinstance(layer, nn.Linear)]
        grad = linears[-1].weight.expand(packs, -1)
        for linear, (activation, hidden) in zip(
            reversed(linears[:-1]), reversed(inputs), strict=True
        ):
            # The kernels autograd's own backward pass uses (a comparison with
            # torch.where costs 5x more on CPU).
            if isinstance(activation, nn.ReLU):
                grad = torch.ops.aten.threshold_backward(grad, hidden, 0)
            else:
                grad = torch.ops.aten.leaky_relu_backward(
                    grad, hidden, activation.negative_slope, False
                )
            grad = grad @ linear.weight
        # Each packed row is pac blocks of [features, one-hot label]; keep the features.
        return grad.reshape(packs, self.pac, -1)[:, :, : x.shape[1]].reshape(packs, -1)

    def update_ema(self, decay, step):
        update_ema(self.generator_ema, self.generator, decay, step)
