"""TSN-style segment sampling: one frame from each of ``clip_len`` equal
segments of the whole video (VideoMAE's Something-Something v2 sampling)."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class UniformSample(BaseTransform):
    """Split the video into ``clip_len`` segments and take one frame of each.

    Training takes a random frame in every segment (segments of
    ``total_frames // clip_len`` frames, as the original). Testing is
    deterministic: with one clip each segment's centre (TSN's test
    sampling); with ``num_clips = N > 1`` clip ``k`` takes frame
    ``int(tick * i + tick * k / N)`` of segment ``i``
    (``tick = total / clip_len``), which for ``N = 2`` is exactly
    VideoMAE's SSv2 two-clip test: the segment starts, then the segment
    centres.

    A video with fewer frames than ``clip_len`` yields its frames in order,
    each repeated about ``clip_len / total_frames`` times (the original
    returns frame 0 ``clip_len`` times in training, a degenerate clip; this
    is the spread its test sampling gives).

    Required Keys: ``total_frames``.
    Added Keys: ``frame_inds`` (``num_clips * clip_len`` ints, clip-major),
    ``clip_len``, ``frame_interval`` (None), ``num_clips``.

    Args:
        clip_len (int): Number of segments, i.e. frames per clip.
        num_clips (int): Clips per video in test mode. Defaults to 1.
        test_mode (bool): Deterministic sampling. Defaults to False.
    """

    def __init__(self,
                 clip_len: int,
                 num_clips: int = 1,
                 test_mode: bool = False) -> None:
        if clip_len < 1 or num_clips < 1:
            raise ValueError(f'clip_len and num_clips must be positive, got '
                             f'{clip_len} and {num_clips}')
        if num_clips > 1 and not test_mode:
            raise ValueError('UniformSample takes several clips only in '
                             'test_mode; for several augmented training '
                             'clips set num_sample on the dataset')
        self.clip_len = clip_len
        self.num_clips = num_clips
        self.test_mode = test_mode

    def _train_inds(self, total: int) -> np.ndarray:
        segment = total // self.clip_len
        if segment == 0:  # shorter than the clip: spread repeats
            return np.arange(self.clip_len) * total // self.clip_len
        return (np.arange(self.clip_len) * segment +
                np.random.randint(segment, size=self.clip_len))

    def _test_inds(self, total: int) -> np.ndarray:
        tick = total / self.clip_len
        segments = np.arange(self.clip_len)
        if self.num_clips == 1:
            shifts = np.array([0.5])
        else:
            shifts = np.arange(self.num_clips) / self.num_clips
        # Written as the original sums it, so the floors agree exactly.
        inds = tick * segments[None, :] + tick * shifts[:, None]  # (N, T)
        return inds.astype(np.int64).reshape(-1)

    def transform(self, results: Dict) -> Dict:
        total = int(results['total_frames'])
        if total < 1:
            raise ValueError(f'total_frames must be positive, got {total}')
        inds = (self._test_inds(total)
                if self.test_mode else self._train_inds(total))
        results['frame_inds'] = np.minimum(inds, total - 1).astype(np.int64)
        results['clip_len'] = self.clip_len
        results['frame_interval'] = None
        results['num_clips'] = self.num_clips
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(clip_len={self.clip_len}, '
                f'num_clips={self.num_clips}, test_mode={self.test_mode})')
