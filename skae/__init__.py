"""skae: scikit-learn estimators built on PyTorch and trained through skorch."""

from .autoencoder import AutoencoderTransformer
from .classifier import PretrainedClassifier
from .gan import GANSampler
from .outlier import AutoencoderOutlierDetector
from .vae import VariationalAutoencoder

__all__ = [
    "AutoencoderOutlierDetector",
    "AutoencoderTransformer",
    "GANSampler",
    "PretrainedClassifier",
    "VariationalAutoencoder",
]
__version__ = "0.1.0"
