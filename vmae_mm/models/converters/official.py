"""The official VideoMAE / VideoMAE v2 key layout <-> vmae_mm.

Official pretraining (``PretrainVisionTransformer``, state under ``model``):
``encoder.{patch_embed,blocks,norm,pos_embed}.*``, ``encoder_to_decoder``,
``mask_token``, ``decoder.{blocks,norm}.*`` and ``decoder.head`` (the pixel
predictor). Official finetuned (``VisionTransformer``): the encoder's keys
without a prefix plus ``fc_norm`` and ``head``. Block parameter names are the
same as vmae_mm's, so only prefixes change.
"""
from typing import Dict

import torch

from .keys import BACKBONE_KEY, check_vmae_keys, is_vmae_key

StateDict = Dict[str, torch.Tensor]

_RENAMES = (
    # (official prefix, vmae_mm prefix), checked in order.
    ('encoder_to_decoder.', 'neck.encoder_to_decoder.'),
    ('decoder.blocks.', 'neck.blocks.'),
    ('decoder.norm.', 'neck.norm.'),
    ('decoder.head.', 'neck.decoder_pred.'),
    ('head.', 'cls_head.fc_cls.'),
    ('encoder.', 'backbone.'),
)


def official_to_vmae(state_dict: StateDict) -> StateDict:
    """Rename an official checkpoint's keys to vmae_mm's.

    Args:
        state_dict (dict[str, Tensor]): Unwrapped official state dict
            (pretraining with ``encoder.``/``decoder.`` prefixes, or
            finetuned without prefix).

    Returns:
        dict[str, Tensor]: The same tensors under vmae_mm's keys.

    Raises:
        KeyError: Naming a key that has no vmae_mm counterpart.
    """
    out = {}
    for key, value in state_dict.items():
        if key == 'mask_token':
            new = 'neck.mask_token'
        elif BACKBONE_KEY.match(key):  # finetuned: encoder keys, no prefix
            new = 'backbone.' + key
        else:
            new = next((dst + key[len(src):] for src, dst in _RENAMES
                        if key.startswith(src)), None)
        if new is None or not is_vmae_key(new):
            raise KeyError(f'official checkpoint: key {key!r} has no '
                           f'vmae_mm counterpart')
        out[new] = value
    return out


def vmae_to_official(state_dict: StateDict) -> StateDict:
    """Rename vmae_mm keys to the official layout: ``encoder.*`` and the
    decoder keys for a pretraining model, unprefixed encoder keys plus
    ``head.*`` for a finetuning model.

    Args:
        state_dict (dict[str, Tensor]): vmae_mm state dict.

    Returns:
        dict[str, Tensor]: The same tensors under the official keys.
    """
    check_vmae_keys(state_dict, 'vmae_mm checkpoint')
    pretrain = any(k.startswith('neck.') for k in state_dict)
    out = {}
    for key, value in state_dict.items():
        if key.startswith('backbone.'):
            rest = key[len('backbone.'):]
            out[('encoder.' if pretrain else '') + rest] = value
        elif key == 'neck.mask_token':
            out['mask_token'] = value
        else:
            rest = key.split('.', 1)[1]
            if key.startswith('cls_head.'):
                out['head.' + rest[len('fc_cls.'):]] = value
            elif rest.startswith('encoder_to_decoder.'):
                out[rest] = value
            elif rest.startswith('decoder_pred.'):
                out['decoder.head.' + rest[len('decoder_pred.'):]] = value
            else:
                out['decoder.' + rest] = value
    return out
