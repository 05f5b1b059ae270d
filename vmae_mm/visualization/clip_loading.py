"""Reading one clip the way a config samples it, deterministically."""
from typing import Any, Dict, List, Optional, Tuple

import torch
from mmengine.dataset import Compose

from vmae_mm.registry import TRANSFORMS


def find_sample_frames(cfg: Any) -> Optional[Dict]:
    """The first ``SampleFrames`` transform anywhere in ``cfg`` (searched
    depth first through dicts and lists, so dataset wrappers are seen
    through), or None."""
    if isinstance(cfg, dict):
        if cfg.get('type') == 'SampleFrames':
            return dict(cfg)
        values = list(cfg.values())
    elif isinstance(cfg, (list, tuple)):
        values = list(cfg)
    else:
        return None
    for value in values:
        found = find_sample_frames(value)
        if found is not None:
            return found
    return None


def clip_pipeline(cfg: Any, img_size: int) -> List[Dict]:
    """A deterministic pipeline with the config's temporal sampling.

    The config's training ``SampleFrames`` (frame count and stride) in test
    mode (the centre clip), decord decoding, the short side resized to
    ``img_size`` and the centre ``img_size`` square cropped: the training
    pipeline without its random crop.

    Args:
        cfg (Config | dict): A config with a ``train_dataloader`` (or
            ``train_pipeline``) that holds a ``SampleFrames`` transform.
        img_size (int): Side of the model's input.

    Returns:
        list[dict]: Transform configs.

    Raises:
        ValueError: If the config samples no frames with ``SampleFrames``.
    """
    where = cfg.get('train_dataloader') or cfg.get('train_pipeline')
    sample = find_sample_frames(where)
    if sample is None:
        raise ValueError(
            'the config has no SampleFrames transform in train_dataloader '
            '(or train_pipeline), so the clip length and stride are unknown; '
            'use a pretraining config that decodes videos')
    return [
        dict(type='DecordInit', num_threads=1),
        dict(type='SampleFrames', clip_len=sample['clip_len'],
             frame_interval=sample.get('frame_interval', 1), num_clips=1,
             test_mode=True),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(-1, img_size), keep_ratio=True),
        dict(type='CenterCrop', crop_size=img_size),
        dict(type='FormatShape', input_format='NCTHW'),
    ]


def load_clip(video: str, pipeline: List[Dict]) -> Tuple[torch.Tensor,
                                                          List[int]]:
    """Run ``pipeline`` (from :func:`clip_pipeline`) on a video file.

    Args:
        video (str): Path of the video.
        pipeline (list[dict]): Transform configs.

    Returns:
        tuple[Tensor, list[int]]: uint8 clip ``(C, T, H, W)`` and the frame
        index in the video of each of its frames.
    """
    transforms = Compose([TRANSFORMS.build(t) for t in pipeline])
    results = transforms(dict(filename=video))
    clip = torch.from_numpy(results['imgs'][0])  # (C, T, H, W)
    return clip, [int(i) for i in results['frame_inds']]
