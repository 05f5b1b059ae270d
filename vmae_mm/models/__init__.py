"""Models: importing this package registers every model component."""
from . import masking  # noqa: F401  (registers MASK_GENERATORS)
from .algorithms import Recognizer, VideoMAE
from .backbones import VisionTransformer3D
from .data_preprocessors import VideoDataPreprocessor
from .heads import VideoMAEClsHead, VideoMAEPretrainHead
from .losses import CrossEntropyLoss
from .necks import VideoMAEDecoder

__all__ = ['VideoMAE', 'VisionTransformer3D', 'VideoDataPreprocessor',
           'VideoMAEPretrainHead', 'VideoMAEDecoder', 'Recognizer',
           'VideoMAEClsHead', 'CrossEntropyLoss']
