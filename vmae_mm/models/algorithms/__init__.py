from .videomae import VideoMAE

__all__ = ['VideoMAE']
