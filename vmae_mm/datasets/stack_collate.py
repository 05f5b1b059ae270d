"""Batching that stacks clips inside the loader's worker processes."""
from typing import Any, List, Sequence

import torch

from vmae_mm.registry import FUNCTIONS


@FUNCTIONS.register_module()
def stack_collate(data_batch: Sequence[Any]) -> dict:
    """Flatten repeated samples and stack the uint8 clips into one tensor.

    Like ``multi_sample_collate`` (a video with ``num_sample`` clips gives
    ``num_sample`` samples, adjacent), but the clips leave the worker as one
    ``(B, V, C, T, H, W)`` tensor: the stacking runs in parallel in the
    workers, the main process receives a single shared-memory block that the
    pin-memory thread copies once, and the copy to the GPU is one
    asynchronous transfer. Clips of different shapes stay a list (the data
    preprocessor then reports them).

    Use as ``collate_fn=dict(type='vmae_mm.stack_collate')``.

    Args:
        data_batch (Sequence): Packed samples (dicts with ``inputs`` and
            ``data_samples``) or lists of them.

    Returns:
        dict: ``inputs`` (tensor, or list if shapes differ) and
        ``data_samples`` (list).
    """
    flat: List[dict] = []
    for item in data_batch:
        flat.extend(item if isinstance(item, list) else [item])
    clips = [sample['inputs'] for sample in flat]
    if len({tuple(clip.shape) for clip in clips}) == 1:
        clips = torch.stack(clips)
    return dict(inputs=clips,
                data_samples=[sample.get('data_samples') for sample in flat])
