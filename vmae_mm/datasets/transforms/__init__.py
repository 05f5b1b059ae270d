"""Data transforms, registered in ``TRANSFORMS``."""
from .crop import CenterCrop, MultiScaleCrop
from .flip import Flip
from .formatting import FormatShape, PackInputs
from .loading import (BaseDecode, DecordDecode, DecordInit, SampleFrames,
                      VideoDecodeError)
from .rand_augment import RandAugment
from .random_erasing import RandomErasing
from .random_resized_crop import RandomResizedCrop
from .rawframe_decode import RawFrameDecode
from .resize import Resize
from .three_crop import ThreeCrop
from .uniform_sample import UniformSample

__all__ = ['CenterCrop', 'MultiScaleCrop', 'Flip', 'FormatShape',
           'PackInputs', 'BaseDecode', 'DecordDecode', 'DecordInit',
           'SampleFrames', 'VideoDecodeError', 'RandAugment', 'RandomErasing',
           'RandomResizedCrop', 'RawFrameDecode', 'Resize', 'ThreeCrop',
           'UniformSample']
