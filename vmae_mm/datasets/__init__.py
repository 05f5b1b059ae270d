"""Datasets and transforms: importing this package registers them."""
from . import transforms  # noqa: F401  (registers TRANSFORMS)
from .synthetic_dataset import SyntheticVideoDataset
from .video_dataset import VideoDataset

__all__ = ['SyntheticVideoDataset', 'VideoDataset']
