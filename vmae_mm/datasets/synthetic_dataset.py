"""The embedded default dataset: generated on first use."""
import os.path as osp
from typing import Callable, Sequence, Union

from mmengine.dist import barrier, get_rank
from mmengine.logging import MMLogger

from vmae_mm.registry import DATASETS
from .synthetic import (make_synthetic_dataset, synthetic_dataset_ready,
                        synthetic_params)
from .video_dataset import VideoDataset


@DATASETS.register_module()
class SyntheticVideoDataset(VideoDataset):
    """The moving-shapes dataset of :mod:`vmae_mm.datasets.synthetic`, read
    as real mp4 files through the normal video pipeline.

    When ``data_root`` does not hold a complete copy made with these
    parameters, rank 0 generates it (deterministically, with a log line) and
    the other ranks wait.

    Args:
        data_root (str): Folder of the dataset.
        split (str): ``'train'`` or ``'val'``.
        pipeline (Sequence[dict | Callable]): Transforms.
        test_mode (bool): Evaluation mode. Defaults to False.
        num_train (int): Training videos. Defaults to 400.
        num_val (int): Validation videos. Defaults to 100.
        num_frames (int): Frames per video. Defaults to 48.
        size (int): Frame side in pixels. Defaults to 80.
        seed (int): Generation seed. Defaults to 0.
    """

    def __init__(self,
                 data_root: str,
                 split: str,
                 pipeline: Sequence[Union[dict, Callable]],
                 test_mode: bool = False,
                 num_train: int = 400,
                 num_val: int = 100,
                 num_frames: int = 48,
                 size: int = 80,
                 seed: int = 0) -> None:
        if split not in ('train', 'val'):
            raise ValueError(f"split must be 'train' or 'val', got {split!r}")
        params = synthetic_params(num_train, num_val, num_frames, size, seed)
        if get_rank() == 0 and not synthetic_dataset_ready(data_root, params):
            MMLogger.get_current_instance().info(
                f'synthetic dataset not found at {data_root}: generating '
                f'{num_train} + {num_val} videos ({num_frames} frames, '
                f'{size}x{size}, seed {seed}), deterministically')
            make_synthetic_dataset(data_root, num_train, num_val, num_frames,
                                   size, seed)
        barrier()
        super().__init__(ann_file=osp.join(data_root, f'{split}.txt'),
                         pipeline=pipeline,
                         data_prefix=dict(video=data_root),
                         test_mode=test_mode)
