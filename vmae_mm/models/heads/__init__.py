from .pixel_head import VideoMAEPretrainHead

__all__ = ['VideoMAEPretrainHead']
