"""skae: scikit-learn estimators built on PyTorch and trained through skorch."""

from .autoencoder import AutoencoderTransformer

__all__ = ["AutoencoderTransformer"]
__version__ = "0.1.0"
