"""skae: scikit-learn estimators built on PyTorch and trained through skorch."""

from .autoencoder import AutoencoderTransformer
from .classifier import PretrainedClassifier
from .gan import GANSampler

__all__ = ["AutoencoderTransformer", "GANSampler", "PretrainedClassifier"]
__version__ = "0.1.0"
