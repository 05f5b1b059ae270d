from .blending import MixupCutmix
from .video_preprocessor import VideoDataPreprocessor, build_data_preprocessor

__all__ = ['MixupCutmix', 'VideoDataPreprocessor', 'build_data_preprocessor']
