"""VideoMAE's multi-scale crop and resize, on the device, for a batch.

The loader's workers then only decode: each video crosses to the GPU once as
uint8 frames at its stored size, and the GPU cuts ``num_samples`` augmented
clips from it (VideoMAE's repeated sampling), instead of the CPU cropping
and resizing every clip and sending each one.
"""
import random
from typing import List, Sequence, Tuple, Union

import torch
from torch import Tensor

from vmae_mm.datasets.transforms.crop import MultiScaleCrop
from vmae_mm.registry import MODELS

Box = Tuple[int, int, int, int]  # x1, y1, x2, y2 (exclusive)


def host_to_device(tensor: Tensor, device: torch.device) -> Tensor:
    """A small host tensor on ``device`` without waiting for the device.

    A plain ``.to('cuda')`` synchronizes the stream after its copy, so the
    host would wait for every step queued before it: drawn on the host at
    the start of a training step, the crop boxes would leave the GPU idle
    while the host launches the step. From pinned memory the copy is queued
    like a kernel (the pinned block stays reserved until the copy is done).
    """
    if device.type != 'cuda':
        return tensor.to(device)
    return tensor.pin_memory().to(device, non_blocking=True)


def linear_resize_matrix(starts: Tensor, lengths: Tensor, out_size: int,
                         in_size: int) -> Tensor:
    """Rows that resample ``[start, start + length)`` of an axis of
    ``in_size`` pixels to ``out_size`` pixels by linear interpolation, with
    OpenCV's ``INTER_LINEAR`` geometry (pixel centres, edge pixels
    repeated) and no anti-aliasing.

    Args:
        starts (Tensor): ``(N,)`` first pixel of each crop.
        lengths (Tensor): ``(N,)`` crop lengths.
        out_size (int): Output length.
        in_size (int): Length of the axis the crops index.

    Returns:
        Tensor: float ``(N, out_size, in_size)``; ``matrix @ axis`` is the
        resized crop.
    """
    starts = starts.double()[:, None]
    lengths = lengths.double()[:, None]
    out = torch.arange(out_size, dtype=torch.float64,
                       device=starts.device)[None]
    # (N, out) source coordinate of each output pixel centre, in the crop
    src = ((out + 0.5) * lengths / out_size - 0.5).clamp(min=0)
    left = src.floor().clamp(max=lengths - 1)
    weight_right = (src - left).clamp(max=1)
    right = (left + 1).clamp(max=lengths - 1)
    matrix = torch.zeros(starts.shape[0], out_size, in_size,
                         dtype=torch.float64, device=starts.device)
    matrix.scatter_add_(2, (starts + left).long()[..., None],
                        (1 - weight_right)[..., None])
    matrix.scatter_add_(2, (starts + right).long()[..., None],
                        weight_right[..., None])
    return matrix.float()


@MODELS.register_module()
class BatchMultiScaleCrop:
    """``MultiScaleCrop`` + ``Resize`` (+ an optional horizontal flip) of
    every clip in a batch, ``num_samples`` times, on the clips' device.

    Boxes follow the CPU transform exactly (TSN's multi-scale crop: sides
    from ``scales`` of the short side, snapped to ``input_size`` within 3
    pixels, width and height scales at most ``max_wh_scale_gap`` apart,
    fixed or random offsets), drawn from Python's ``random`` as the CPU
    transform does; the resize is OpenCV's ``INTER_LINEAR`` as two matrix
    products per clip (outputs match ``cv2.resize`` within one grey level).
    Clips padded to a common size keep their own boxes: pass each clip's
    valid ``(height, width)``.

    Args:
        input_size (int | Sequence[int]): Output ``(w, h)``.
        scales (Sequence[float]): Crop scales of the short side.
            Defaults to ``(1, .875, .75, .66)``.
        max_wh_scale_gap (int): Defaults to 1.
        random_crop (bool): Random offsets instead of fixed ones.
            Defaults to False.
        num_fixed_crops (int): 5 or 13. Defaults to 13.
        num_samples (int): Augmented clips per input clip, adjacent in the
            output. Defaults to 1.
        flip_ratio (float): Probability of a horizontal flip per output
            clip. Defaults to 0 (SSv2's classes are direction-sensitive).
    """

    def __init__(self,
                 input_size: Union[int, Sequence[int]] = 224,
                 scales: Sequence[float] = (1, .875, .75, .66),
                 max_wh_scale_gap: int = 1,
                 random_crop: bool = False,
                 num_fixed_crops: int = 13,
                 num_samples: int = 1,
                 flip_ratio: float = 0.0) -> None:
        if num_samples < 1:
            raise ValueError(f'num_samples must be >= 1, got {num_samples}')
        # the CPU transform draws the boxes, so both follow one rule
        self.boxes = MultiScaleCrop(input_size, scales, max_wh_scale_gap,
                                    random_crop, num_fixed_crops)
        self.input_size = self.boxes.input_size  # (w, h)
        self.num_samples = num_samples
        self.flip_ratio = flip_ratio

    def output_shape(self, clip_shape: Sequence[int]) -> Tuple[int, ...]:
        """The ``(C, T, h, w)`` of the clips cut from a ``(C, T, H, W)``
        input."""
        channels, frames = clip_shape[:2]
        return channels, frames, self.input_size[1], self.input_size[0]

    def sample_box(self, height: int, width: int) -> Box:
        """One crop box in a ``height x width`` frame (the CPU
        ``MultiScaleCrop``'s rule and random draws)."""
        return self.boxes.sample_box(height, width)

    def crop_resize(self, clips: Tensor, boxes: Tensor,
                    flips: Tensor) -> Tensor:
        """Cut ``S = boxes.shape[1]`` boxes from every clip and resize them.

        Args:
            clips (Tensor): ``(B, C, T, H, W)``, any dtype.
            boxes (Tensor): ``(B, S, 4)`` ``x1, y1, x2, y2`` per output.
            flips (Tensor): ``(B, S)`` bool, flip that output horizontally.

        Returns:
            Tensor: float ``(B * S, C, T, h, w)``, the samples of a clip
            adjacent.
        """
        batch, channels, frames, height, width = clips.shape
        samples = boxes.shape[1]
        out_w, out_h = self.input_size
        boxes = host_to_device(boxes.reshape(-1, 4), clips.device)
        rows = linear_resize_matrix(boxes[:, 1], boxes[:, 3] - boxes[:, 1],
                                    out_h, height)  # (B*S, h, H)
        cols = linear_resize_matrix(boxes[:, 0], boxes[:, 2] - boxes[:, 0],
                                    out_w, width)  # (B*S, w, W)
        flips = host_to_device(flips.reshape(-1), clips.device)
        cols = torch.where(flips[:, None, None], cols.flip(1), cols)
        # (B, H, C*T*W): one matrix product resizes every frame's rows
        planes = clips.float().permute(0, 3, 1, 2, 4).reshape(
            batch, height, channels * frames * width)
        tall = rows.view(batch, samples * out_h, height) @ planes
        # (B*S, h*C*T, W) @ (B*S, W, w) -> (B*S, h, C, T, w)
        tall = tall.view(batch * samples, out_h * channels * frames, width)
        out = (tall @ cols.transpose(1, 2)).view(batch * samples, out_h,
                                                 channels, frames, out_w)
        return out.permute(0, 2, 3, 1, 4).contiguous()

    def __call__(self, clips: Tensor,
                 sizes: Sequence[Tuple[int, int]]) -> Tensor:
        """Args:
            clips (Tensor): ``(B, C, T, H, W)``, possibly zero-padded.
            sizes (Sequence[tuple[int, int]]): Each clip's valid
                ``(height, width)`` at the top left.

        Returns:
            Tensor: float ``(B * num_samples, C, T, h, w)``.
        """
        boxes: List[List[Box]] = [[
            self.sample_box(height, width) for _ in range(self.num_samples)
        ] for height, width in sizes]
        flips = torch.tensor([[random.random() < self.flip_ratio
                               for _ in range(self.num_samples)]
                              for _ in sizes])
        return self.crop_resize(clips, torch.tensor(boxes), flips)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(input_size={self.input_size}, '
                f'scales={self.boxes.scales}, num_samples={self.num_samples}, '
                f'flip_ratio={self.flip_ratio})')
