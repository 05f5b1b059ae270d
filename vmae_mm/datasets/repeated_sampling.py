"""Repeated sampling: decode a video once, augment it several times."""
from typing import Any, List, Sequence, Tuple

from mmengine.dataset import Compose, pseudo_collate

from vmae_mm.registry import FUNCTIONS
from .transforms.loading import BaseDecode


def split_at_decode(pipeline: Compose) -> Tuple[Compose, Compose]:
    """Split a pipeline after its (last) decode transform.

    Args:
        pipeline (Compose): The dataset's pipeline.

    Returns:
        tuple[Compose, Compose]: The part that opens, samples and decodes
        (run once per video) and the part that augments and packs (run once
        per sample).

    Raises:
        ValueError: The pipeline has no decode transform (a subclass of
            :class:`BaseDecode`, e.g. ``DecordDecode`` or ``RawFrameDecode``).
    """
    transforms = list(pipeline.transforms)
    cut = [i for i, t in enumerate(transforms) if isinstance(t, BaseDecode)]
    if not cut:
        names = [type(t).__name__ for t in transforms]
        raise ValueError(
            f'num_sample > 1 needs a decode transform (DecordDecode, '
            f'RawFrameDecode) in the pipeline to split at; got {names}')
    return (Compose(transforms[:cut[-1] + 1]),
            Compose(transforms[cut[-1] + 1:]))


@FUNCTIONS.register_module()
def multi_sample_collate(data_batch: Sequence[Any]) -> Any:
    """``pseudo_collate`` after flattening repeated samples.

    A dataset with ``num_sample > 1`` returns a list of packed samples per
    video; this makes a batch of B videos a batch of ``B * num_sample``
    clips (the samples of a video adjacent), so the model and the batch
    augments see each clip as its own sample, as VideoMAE's
    ``multiple_samples_collate`` does. Single samples pass through, so it is
    a drop-in ``collate_fn=dict(type='vmae_mm.multi_sample_collate')``
    (the scope prefix is needed: mmengine's runner looks collate functions up
    in its root registry, which finds a child's entries only by scope).

    Args:
        data_batch (Sequence): Packed samples (dicts) or lists of them.

    Returns:
        The ``pseudo_collate`` of the flattened samples.
    """
    flat: List[Any] = []
    for item in data_batch:
        if isinstance(item, list):
            flat.extend(item)
        else:
            flat.append(item)
    return pseudo_collate(flat)
