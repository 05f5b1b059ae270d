from .cls_head import VideoMAEClsHead
from .pixel_head import VideoMAEPretrainHead

__all__ = ['VideoMAEClsHead', 'VideoMAEPretrainHead']
