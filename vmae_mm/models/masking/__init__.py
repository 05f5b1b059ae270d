"""Masking strategies, registered in ``MASK_GENERATORS``."""
from .base import BaseMaskGenerator, random_subset_mask
from .tube import TubeMasking

__all__ = ['BaseMaskGenerator', 'random_subset_mask', 'TubeMasking']
