"""Opening, sampling and decoding videos with decord."""
import os.path as osp
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS


class VideoDecodeError(RuntimeError):
    """A video file exists but cannot be opened or decoded (corrupt,
    truncated or an unsupported codec). Datasets skip such samples."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f'cannot decode video {filename}: {reason}')
        self.filename = filename


@TRANSFORMS.register_module()
class DecordInit(BaseTransform):
    """Open a video with decord.

    Required Keys: ``filename``.
    Added Keys: ``video_reader``, ``total_frames``, ``avg_fps``.

    Args:
        num_threads (int): decord decoding threads per video. Defaults to 1
            (the data loader's workers already run in parallel).

    Raises:
        FileNotFoundError: The file does not exist (a setup error: fix the
            annotation list or ``data_prefix``).
        VideoDecodeError: The file cannot be opened as a video.
    """

    def __init__(self, num_threads: int = 1) -> None:
        self.num_threads = num_threads

    def transform(self, results: Dict) -> Dict:
        import decord  # imported here so workers open it after fork

        filename = results['filename']
        if not osp.isfile(filename):
            raise FileNotFoundError(
                f'video file not found: {filename} (check the annotation '
                'list and data_prefix)')
        try:
            reader = decord.VideoReader(filename,
                                        num_threads=self.num_threads)
        except Exception as err:  # decord raises its own DECORDError types
            raise VideoDecodeError(filename, str(err).splitlines()[0]) from err
        if len(reader) == 0:
            raise VideoDecodeError(filename, 'no frames')
        results['video_reader'] = reader
        results['total_frames'] = len(reader)
        results['avg_fps'] = reader.get_avg_fps()
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(num_threads={self.num_threads})'


@TRANSFORMS.register_module()
class SampleFrames(BaseTransform):
    """Choose frame indices: ``num_clips`` clips of ``clip_len`` frames taken
    every ``frame_interval`` frames (dense, Kinetics-style sampling).

    Training picks a random start per clip inside evenly split segments;
    testing takes the centre of each segment, deterministically. Indices past
    the end wrap around (``'loop'``) or repeat the last frame
    (``'repeat_last'``), so short videos yield full clips with repeated
    frames.

    Required Keys: ``total_frames``.
    Added Keys: ``frame_inds`` (``num_clips * clip_len`` ints), ``clip_len``,
    ``frame_interval``, ``num_clips``.

    Args:
        clip_len (int): Frames per clip.
        frame_interval (int): Temporal stride. Defaults to 1.
        num_clips (int): Clips per video. Defaults to 1.
        test_mode (bool): Deterministic centre sampling. Defaults to False.
        out_of_bound_opt (str): ``'loop'`` or ``'repeat_last'``.
            Defaults to ``'loop'``.
    """

    def __init__(self,
                 clip_len: int,
                 frame_interval: int = 1,
                 num_clips: int = 1,
                 test_mode: bool = False,
                 out_of_bound_opt: str = 'loop') -> None:
        if out_of_bound_opt not in ('loop', 'repeat_last'):
            raise ValueError("out_of_bound_opt must be 'loop' or "
                             f"'repeat_last', got {out_of_bound_opt!r}")
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.num_clips = num_clips
        self.test_mode = test_mode
        self.out_of_bound_opt = out_of_bound_opt

    def _clip_offsets(self, total_frames: int) -> np.ndarray:
        span = self.clip_len * self.frame_interval
        if self.test_mode:
            segment = (total_frames - span + 1) / self.num_clips
            if segment <= 0:
                return np.zeros(self.num_clips, dtype=np.int64)
            return (np.arange(self.num_clips) * segment +
                    segment / 2.0).astype(np.int64)
        segment = (total_frames - span + 1) // self.num_clips
        if segment > 0:
            return (np.arange(self.num_clips) * segment +
                    np.random.randint(segment, size=self.num_clips))
        if total_frames > max(self.num_clips, span):
            return np.sort(
                np.random.randint(total_frames - span + 1,
                                  size=self.num_clips))
        return np.zeros(self.num_clips, dtype=np.int64)

    def transform(self, results: Dict) -> Dict:
        total = results['total_frames']
        offsets = self._clip_offsets(total)
        steps = np.arange(self.clip_len) * self.frame_interval
        inds = (offsets[:, None] + steps[None, :]).reshape(-1)
        if self.out_of_bound_opt == 'loop':
            inds = np.mod(inds, total)
        else:
            inds = np.minimum(inds, total - 1)
        results['frame_inds'] = inds.astype(np.int64)
        results['clip_len'] = self.clip_len
        results['frame_interval'] = self.frame_interval
        results['num_clips'] = self.num_clips
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(clip_len={self.clip_len}, '
                f'frame_interval={self.frame_interval}, '
                f'num_clips={self.num_clips}, test_mode={self.test_mode})')


@TRANSFORMS.register_module()
class DecordDecode(BaseTransform):
    """Decode the chosen frames.

    Required Keys: ``video_reader``, ``frame_inds``, ``filename``.
    Added Keys: ``imgs`` (uint8 ``(N, H, W, 3)`` RGB), ``img_shape``,
    ``original_shape``.
    Removed Keys: ``video_reader``.

    Raises:
        VideoDecodeError: Decoding failed (e.g. a truncated file).
    """

    def transform(self, results: Dict) -> Dict:
        reader = results.pop('video_reader')
        inds = results['frame_inds']
        unique, inverse = np.unique(inds, return_inverse=True)
        try:
            frames = reader.get_batch(unique.tolist()).asnumpy()
        except Exception as err:
            raise VideoDecodeError(results['filename'],
                                   str(err).splitlines()[0]) from err
        finally:
            del reader
        frames = frames[inverse]  # (N, H, W, 3), in the sampled order
        results['imgs'] = frames
        results['original_shape'] = frames.shape[1:3]
        results['img_shape'] = frames.shape[1:3]
        return results


