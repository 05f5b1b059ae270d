"""Masking strategies, registered in ``MASK_GENERATORS``."""
from .base import BaseMaskGenerator, random_subset_mask
from .block import BlockMasking
from .frame import FrameMasking
from .random import RandomMasking
from .running_cell import RunningCellMasking
from .tube import TubeMasking

__all__ = ['BaseMaskGenerator', 'random_subset_mask', 'TubeMasking']
__all__ += ['RandomMasking', 'FrameMasking', 'BlockMasking',
            'RunningCellMasking']
