"""Datasets and transforms: importing this package registers them."""
from . import transforms  # noqa: F401  (registers TRANSFORMS)
from .rawframe_dataset import RawframeDataset
from .repeated_sampling import multi_sample_collate, split_at_decode
from .stack_collate import stack_collate
from .synthetic_dataset import SyntheticVideoDataset
from .video_dataset import VideoDataset

__all__ = ['RawframeDataset', 'SyntheticVideoDataset', 'VideoDataset',
           'multi_sample_collate', 'split_at_decode', 'stack_collate']
