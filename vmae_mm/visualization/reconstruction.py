"""VideoMAE reconstructions as pictures: original / masked input /
reconstruction, frames side by side.

The decoder predicts each masked patch normalized by that patch's own
per-channel mean and std (the ``norm_pix`` target). As in the original
VideoMAE visualization, the prediction is brought back to pixels with the
statistics of the *original* patch, and visible patches show the original
pixels.
"""
import contextlib
from typing import Iterator, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from vmae_mm.models.utils.patchify import unpatchify
from .grid_image import compose_grid
from .mask_overlay import fill_masked, mask_to_pixels, scale_for, upscale

NORM_EPS = 1e-6  # the head's std epsilon


@contextlib.contextmanager
def seeded_rng(seed: int) -> Iterator[None]:
    """Run a block under ``torch.manual_seed(seed)`` and give the caller's
    random state back afterwards (CPU and every CUDA device), so drawing a
    mask for a picture does not change a training run's random stream."""
    devices = list(range(torch.cuda.device_count()))
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def unnormalize_patches(pred: torch.Tensor, pixels: torch.Tensor,
                        channels: int) -> torch.Tensor:
    """Undo the per-patch normalization of the pixel target.

    ``pred * (std + 1e-6) + mean`` with the mean and the unbiased std of
    every patch and channel of ``pixels``: the inverse of the head's
    ``norm_pix`` target.

    Args:
        pred (Tensor): Normalized predictions ``(B, K, t*p*p*C)``.
        pixels (Tensor): The original patches in ``[0, 1]``,
            ``(B, K, t*p*p*C)``, ``(t, p, p, c)`` layout.
        channels (int): C.

    Returns:
        Tensor: Pixels in ``[0, 1]`` units ``(B, K, t*p*p*C)`` (not clamped).
    """
    B, K, _ = pixels.shape
    pixels = pixels.reshape(B, K, -1, channels)  # (B, K, t*p*p, C)
    mean = pixels.mean(dim=-2, keepdim=True)
    std = pixels.var(dim=-2, unbiased=True, keepdim=True).sqrt()
    pred = pred.float().reshape(B, K, -1, channels)  # (B, K, t*p*p, C)
    return (pred * (std + NORM_EPS) + mean).reshape(B, K, -1)


def _model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def check_reconstructs(model: nn.Module) -> None:
    """Raise if ``model`` cannot make reconstruction pictures.

    Raises:
        ValueError: It is not a VideoMAE-style pretraining model (with
            ``backbone.token_grid``, ``mask_generator``, ``reconstruct``,
            a pixel head and a data preprocessor).
    """
    needs = [('reconstruct', model), ('mask_generator', model),
             ('data_preprocessor', model), ('head', model)]
    missing = [name for name, owner in needs if not hasattr(owner, name)]
    head = getattr(model, 'head', None)
    for name in ('_pixel_patches', 'norm_pix', 'tubelet_size', 'patch_size'):
        if head is not None and not hasattr(head, name):
            missing.append(f'head.{name}')
    if missing:
        raise ValueError(
            f'{type(model).__name__} cannot show reconstructions: it lacks '
            f'{", ".join(missing)}. Use a pretraining config whose model is '
            f"VideoMAE with a VideoMAEPretrainHead (type='VideoMAE')")


def token_grid_of(model: nn.Module, clip: torch.Tensor) -> Tuple[int, ...]:
    """Token grid ``(T', H', W')`` of a clip ``(C, T, H, W)``."""
    return tuple(model.backbone.token_grid(clip.shape[1:]))


def draw_model_mask(generator, grid: Sequence[int], seed: int,
                    device: Optional[torch.device] = None) -> torch.Tensor:
    """One mask from ``generator`` drawn under ``seed`` (see
    :func:`seeded_rng`).

    Returns:
        Tensor: Bool ``(N,)``, ``True`` = masked.
    """
    with seeded_rng(seed):
        return generator(1, grid, device=device)[0]


@torch.no_grad()
def reconstruct_clip(model: nn.Module, clip: torch.Tensor,
                     mask: torch.Tensor) -> np.ndarray:
    """The model's reconstruction of one clip under ``mask``.

    Runs the model in eval mode and puts back the mode it was in.

    Args:
        model (nn.Module): A VideoMAE model (see :func:`check_reconstructs`).
        clip (Tensor): uint8 ``(C, T, H, W)`` (a data sample's first view).
        mask (Tensor): Bool ``(N,)``, ``True`` = hidden from the encoder;
            every masked token is reconstructed.

    Returns:
        ndarray: uint8 RGB ``(T, H, W, C)``: predictions in masked patches,
        the original pixels in visible ones.
    """
    check_reconstructs(model)
    head = model.head
    was_training = model.training
    model.eval()
    try:
        device = _model_device(model)
        data = model.data_preprocessor(dict(inputs=[clip[None]]),
                                       training=False)
        inputs = data['inputs']  # (1, C, T, H, W), normalized
        mask = mask.to(device)[None]  # (1, N)
        pred = model.reconstruct(inputs, mask)  # (1, N_masked, t*p*p*C)
        pixels = head._pixel_patches(inputs)  # (1, N, t*p*p*C) in [0, 1]
        masked_pixels = pixels[mask].reshape(1, -1, pixels.shape[-1])
        if head.norm_pix:
            pred = unnormalize_patches(pred, masked_pixels, clip.shape[0])
        patches = pixels.clone()
        patches[mask] = pred.float().reshape(-1, pixels.shape[-1])
        grid = token_grid_of(model, clip)
        video = unpatchify(patches, grid, head.tubelet_size,
                           head.patch_size)  # (1, C, T, H, W)
    finally:
        model.train(was_training)
    rec = (video[0].clamp(0, 1) * 255).round().to(torch.uint8)
    rec = rec.permute(1, 2, 3, 0).cpu().numpy()  # (T, H, W, C)
    original = clip.permute(1, 2, 3, 0).cpu().numpy()
    pixel_mask = mask_to_pixels(mask[0], grid, head.tubelet_size,
                                head.patch_size)
    return np.where(pixel_mask[..., None], rec, original)


def reconstruction_grid(model: nn.Module,
                        clip: torch.Tensor,
                        mask: torch.Tensor,
                        title: str = '',
                        frame_names: Optional[Sequence[str]] = None,
                        min_side: int = 160) -> np.ndarray:
    """The picture: rows original / masked input / reconstruction.

    Args:
        model (nn.Module): A VideoMAE model.
        clip (Tensor): uint8 ``(C, T, H, W)``.
        mask (Tensor): Bool ``(N,)``, ``True`` = masked.
        title (str): Second line of the first row's label (e.g. the mask
            strategy). Defaults to ``''``.
        frame_names (Sequence[str], optional): Header names of the frames.
        min_side (int): Frames are scaled up (nearest-neighbour, by an
            integer factor) to at least this many pixels. Defaults to 160.

    Returns:
        ndarray: uint8 RGB image.
    """
    grid = token_grid_of(model, clip)
    head = model.head
    original = clip.permute(1, 2, 3, 0).cpu().numpy()  # (T, H, W, C)
    rec = reconstruct_clip(model, clip, mask)
    factor = scale_for(min(original.shape[1:3]), min_side)
    pixel_mask = upscale(
        mask_to_pixels(mask, grid, head.tubelet_size, head.patch_size),
        factor)
    patch_pixels = head.patch_size * factor
    masked = int(mask.sum())
    rows = [
        ('original' + (f'\n{title}' if title else ''), upscale(original,
                                                              factor)),
        (f'masked input\n{masked} of {mask.numel()} tokens masked',
         fill_masked(upscale(original, factor), pixel_mask, patch_pixels)),
        ('reconstruction\nvisible patches: original',
         upscale(rec, factor)),
    ]
    image, _ = compose_grid(rows, head.tubelet_size, frame_names)
    return image
