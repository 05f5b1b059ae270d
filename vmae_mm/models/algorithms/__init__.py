from .recognizer import Recognizer
from .videomae import VideoMAE

__all__ = ['Recognizer', 'VideoMAE']
