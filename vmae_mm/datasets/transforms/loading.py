"""Opening, sampling and decoding videos (decord, with an OpenCV fallback)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS


class VideoDecodeError(RuntimeError):
    """A video file exists but cannot be opened or decoded (corrupt,
    truncated or an unsupported codec). Datasets skip such samples."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f'cannot decode video {filename}: {reason}')
        self.filename = filename
        self.reason = reason


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


class BaseDecode(BaseTransform):
    """Base of the transforms that turn sampled frame indices into pixels.

    Datasets with ``num_sample > 1`` split their pipeline right after the
    decode step: everything up to it runs once per video, everything after
    it once per sample (see :func:`vmae_mm.datasets.split_at_decode`).
    Subclasses add ``imgs`` (uint8 ``(N, H, W, 3)`` RGB), ``img_shape`` and
    ``original_shape``.
    """


def _check_frames(frames: np.ndarray, count: int) -> Optional[str]:
    """Why ``frames`` is not ``count`` RGB frames, or None if it is."""
    if frames.ndim != 4 or frames.shape[0] != count or frames.shape[3] != 3:
        return (f'got frames of shape {tuple(frames.shape)}, expected '
                f'({count}, H, W, 3)')
    return None


def decode_with_opencv(filename: str, indices: Sequence[int]) -> np.ndarray:
    """Decode frames ``indices`` (sorted, unique) by reading the file in
    order with ``cv2.VideoCapture``.

    Sequential reading is slower than decord's seeking but does not depend
    on the container's index, so it also works where seeking is broken.

    Args:
        filename (str): The video file.
        indices (Sequence[int]): Sorted unique 0-based frame indices.

    Returns:
        ndarray: uint8 RGB ``(len(indices), H, W, 3)``.

    Raises:
        VideoDecodeError: The file cannot be opened or ends before the last
            index.
    """
    cap = cv2.VideoCapture(filename)
    try:
        if not cap.isOpened():
            raise VideoDecodeError(filename, 'OpenCV cannot open it either')
        wanted = list(indices)
        frames: List[np.ndarray] = []
        position = 0
        while wanted and position <= wanted[-1]:
            ok, frame = cap.read()
            if not ok:
                raise VideoDecodeError(
                    filename, f'OpenCV read only {position} frames, frame '
                    f'{wanted[-1]} was requested (truncated file?)')
            while wanted and wanted[0] == position:
                frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
                wanted.pop(0)
            position += 1
    finally:
        cap.release()
    return np.stack(frames)


@TRANSFORMS.register_module()
class DecordDecode(BaseDecode):
    """Decode the chosen frames with decord, falling back to OpenCV.

    decord 0.6.0 fails on some frame widths (48 or 72 pixels: ``DECORDArray
    CopyFromTo: The size must exactly match``) and can return frames of the
    wrong shape; when its batch decode raises or returns anything but
    ``(N, H, W, 3)``, the frames are read again with ``cv2.VideoCapture``.
    Only when that fails too is the video reported as undecodable.

    Required Keys: ``video_reader``, ``frame_inds``, ``filename``.
    Added Keys: ``imgs`` (uint8 ``(N, H, W, 3)`` RGB), ``img_shape``,
    ``original_shape``.
    Removed Keys: ``video_reader``.

    Raises:
        VideoDecodeError: Neither decord nor OpenCV could decode the frames
            (e.g. a truncated file).
    """

    def transform(self, results: Dict) -> Dict:
        reader = results.pop('video_reader')
        filename = results['filename']
        inds = results['frame_inds']
        unique, inverse = np.unique(inds, return_inverse=True)
        try:
            frames = reader.get_batch(unique.tolist()).asnumpy()
            problem = _check_frames(frames, len(unique))
        except Exception as err:  # decord raises its own DECORDError types
            problem = str(err).splitlines()[0]
        finally:
            del reader
        if problem is not None:
            try:
                frames = decode_with_opencv(filename, unique.tolist())
            except VideoDecodeError as err:
                raise VideoDecodeError(
                    filename, f'decord: {problem}; {err.reason}') from None
        frames = frames[inverse]  # (N, H, W, 3), in the sampled order
        results['imgs'] = frames
        results['original_shape'] = frames.shape[1:3]
        results['img_shape'] = frames.shape[1:3]
        return results
