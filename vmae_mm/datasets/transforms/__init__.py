"""Data transforms, registered in ``TRANSFORMS``."""
from .crop import CenterCrop, MultiScaleCrop
from .formatting import FormatShape, PackInputs
from .loading import DecordDecode, DecordInit, SampleFrames, VideoDecodeError
from .resize import Resize

__all__ = ['CenterCrop', 'MultiScaleCrop', 'FormatShape', 'PackInputs',
           'DecordDecode', 'DecordInit', 'SampleFrames', 'VideoDecodeError',
           'Resize']
