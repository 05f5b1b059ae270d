from .batch_crop import BatchMultiScaleCrop
from .blending import MixupCutmix
from .video_preprocessor import VideoDataPreprocessor, build_data_preprocessor

__all__ = ['BatchMultiScaleCrop', 'MixupCutmix', 'VideoDataPreprocessor', 'build_data_preprocessor']
