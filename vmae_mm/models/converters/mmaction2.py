"""mmaction2's VideoMAE ports (``VisionTransformer`` in ``vit_mae.py``)
-> vmae_mm.

mmaction2 renames three things: the patch embedding's Conv3d is
``patch_embed.projection``, the MLP is an mmcv ``FFN`` whose linears are
``mlp.layers.0.0`` (fc1) and ``mlp.layers.1`` (fc2), and its fixed sin-cos
table is a persistent buffer, so ``backbone.pos_embed`` is saved (the
backbone drops it on load when it is the sin-cos table). Everything else
(``backbone.blocks.*``, ``backbone.fc_norm``, ``cls_head.fc_cls``) already
has vmae_mm's names.
"""
import logging
import re
from typing import Dict

import torch
from mmengine.logging import print_log

from .keys import is_vmae_key

StateDict = Dict[str, torch.Tensor]

_RENAMES = (
    (re.compile(r'^backbone\.patch_embed\.projection\.'),
     'backbone.patch_embed.proj.'),
    (re.compile(r'\.mlp\.layers\.0\.0\.'), '.mlp.fc1.'),
    (re.compile(r'\.mlp\.layers\.1\.'), '.mlp.fc2.'),
)
#: Buffers of mmaction2's data preprocessor: normalization constants that
#: vmae_mm's config carries instead.
_IGNORED = re.compile(r'^data_preprocessor\.(?:mean|std)$')


def mmaction2_to_vmae(state_dict: StateDict) -> StateDict:
    """Rename an mmaction2 VideoMAE checkpoint's keys to vmae_mm's.

    Args:
        state_dict (dict[str, Tensor]): Unwrapped mmaction2 state dict.

    Returns:
        dict[str, Tensor]: The same tensors under vmae_mm's keys.

    Raises:
        KeyError: Naming a key that has no vmae_mm counterpart.
    """
    out = {}
    for key, value in state_dict.items():
        if _IGNORED.match(key):
            print_log(f'mmaction2 checkpoint: {key} ignored (normalization '
                      f'constants live in the data preprocessor config)',
                      logger='current', level=logging.INFO)
            continue
        new = key
        for pattern, replacement in _RENAMES:
            new = pattern.sub(replacement, new)
        if not is_vmae_key(new):
            raise KeyError(f'mmaction2 checkpoint: key {key!r} has no '
                           f'vmae_mm counterpart')
        out[new] = value
    return out
