"""skae: scikit-learn estimators built on PyTorch and trained through skorch."""

from .autoencoder import AutoencoderTransformer
from .classifier import PretrainedClassifier

__all__ = ["AutoencoderTransformer", "PretrainedClassifier"]
__version__ = "0.1.0"
