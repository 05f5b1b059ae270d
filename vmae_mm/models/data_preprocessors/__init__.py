from .blending import MixupCutmix
from .video_preprocessor import VideoDataPreprocessor

__all__ = ['MixupCutmix', 'VideoDataPreprocessor']
