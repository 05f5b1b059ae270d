from .video_preprocessor import VideoDataPreprocessor

__all__ = ['VideoDataPreprocessor']
