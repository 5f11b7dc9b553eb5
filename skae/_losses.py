"""The reconstruction loss of a model matrix laid out by the table codec."""

import torch
from torch import nn
from torch.nn import functional as F


def mask_gaps(numeric, target, observed):
    """``numeric`` (per-entry losses of the numeric columns) with the entries of
    gaps zeroed: ``observed`` pairs each numeric column that had gaps with the
    model-matrix column of its "observed" slot. Modifies ``numeric``."""
    if observed:
        columns, slots = zip(*observed, strict=True)
        numeric[:, list(columns)] = numeric[:, list(columns)] * target[:, list(slots)]
    return numeric


def add_block_cross_entropy(total, output, target, blocks):
    """``total`` (one loss per row) plus the cross-entropy of the softmax of each
    one-hot block ``(start, stop)`` of ``output`` against ``target``."""
    for start, stop in blocks:
        log_p = F.log_softmax(output[:, start:stop], dim=1)
        total = total - (target[:, start:stop] * log_p).sum(1)
    return total


class ReconstructionLoss(nn.Module):
    """Per-row loss of a reconstruction (the decoder's pre-activation output)
    against the model matrix it came from, averaged over the table's columns:

    - numeric columns: squared error (``"mse"``, through the output activation)
      or binary cross-entropy on logits (``"bce"``), on observed entries only
      (a gap was filled, there is nothing to reconstruct);
    - each one-hot block (a categorical column, or a numeric column's observed /
      missing indicator): cross-entropy of the block's softmax.

    On a complete numeric table this is exactly the mean squared error (or binary
    cross-entropy) over features.

    Parameters
    ----------
    n_numeric : int
        Numeric columns, the first columns of the matrix.
    blocks : list of (int, int)
        ``(start, stop)`` of each one-hot block.
    observed : list of (int, int)
        ``(numeric column, column of its "observed" slot)`` for columns with gaps.
    n_columns : int
        Columns of the table, the loss's denominator.
    numeric_loss : {"mse", "bce"}
    output_activation : {None, "sigmoid"}
        Applied to the numeric outputs before a squared error.
    """

    def __init__(
        self,
        n_numeric,
        blocks=(),
        observed=(),
        n_columns=None,
        *,
        numeric_loss="mse",
        output_activation=None,
    ):
        super().__init__()
        self.n_numeric = n_numeric
        self.blocks = [tuple(b) for b in blocks]
        self.observed = [tuple(o) for o in observed]
        self.n_columns = n_columns or n_numeric
        self.numeric_loss = numeric_loss
        self.output_activation = output_activation

    def _numeric(self, output, target):
        if self.numeric_loss == "bce":
            return F.binary_cross_entropy_with_logits(output, target, reduction="none")
        if self.output_activation == "sigmoid":
            output = torch.sigmoid(output)
        return (output - target).square()

    def rows(self, output, target):
        """The loss of each row, shape ``(n_rows,)``."""
        if not self.blocks:
            return self._numeric(output, target).mean(1)
        k = self.n_numeric
        numeric = mask_gaps(self._numeric(output[:, :k], target[:, :k]), target, self.observed)
        total = add_block_cross_entropy(numeric.sum(1), output, target, self.blocks)
        return total / self.n_columns

    def forward(self, output, target):
        if not self.blocks:  # the plain loss, as torch computes it
            if self.numeric_loss == "bce":
                return F.binary_cross_entropy_with_logits(output, target)
            if self.output_activation == "sigmoid":
                output = torch.sigmoid(output)
            return F.mse_loss(output, target)
        return self.rows(output, target).mean()


def reconstruction_loss_params(codec, loss, output_activation):
    """The :class:`ReconstructionLoss` arguments for a table laid out by ``codec``."""
    return dict(
        n_numeric=codec.n_numeric_,
        blocks=[(b.start, b.stop) for b in codec.blocks_],
        observed=codec.observed_slots(),
        n_columns=codec.n_columns_,
        numeric_loss=loss,
        output_activation=output_activation,
    )
