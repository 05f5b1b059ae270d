"""vmae_mm's own state-dict key names, the vocabulary every converter maps
to and from.

Models: ``VideoMAE`` (pretraining) saves ``backbone.*`` and ``neck.*``;
``Recognizer`` (finetuning) saves ``backbone.*`` (with ``fc_norm``) and
``cls_head.fc_cls.*``. Block parameter names are the original's.
"""
import re
from typing import Dict, Iterable, Literal

import torch

Layout = Literal['pretrain', 'finetune', 'encoder']

#: One transformer block's parameters, relative to ``blocks.{i}.``.
BLOCK_PARAMS = ('norm1.weight', 'norm1.bias', 'attn.qkv.weight',
                'attn.q_bias', 'attn.v_bias', 'attn.proj.weight',
                'attn.proj.bias', 'norm2.weight', 'norm2.bias',
                'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight',
                'mlp.fc2.bias', 'gamma_1', 'gamma_2')
_BLOCK = r'blocks\.\d+\.(?:' + '|'.join(
    re.escape(p) for p in BLOCK_PARAMS) + r')'
#: Backbone keys relative to ``backbone.``.
BACKBONE_KEY = re.compile(
    r'^(?:patch_embed\.proj\.(?:weight|bias)|pos_embed|'
    r'(?:norm|fc_norm)\.(?:weight|bias)|' + _BLOCK + r')$')
#: Decoder keys relative to ``neck.``.
NECK_KEY = re.compile(
    r'^(?:encoder_to_decoder\.weight|mask_token|norm\.(?:weight|bias)|'
    r'decoder_pred\.(?:weight|bias)|' + _BLOCK + r')$')
#: Classification head keys relative to ``cls_head.``.
CLS_HEAD_KEY = re.compile(r'^fc_cls\.(?:weight|bias)$')

_PARTS = (('backbone.', BACKBONE_KEY), ('neck.', NECK_KEY),
          ('cls_head.', CLS_HEAD_KEY))


def is_vmae_key(key: str) -> bool:
    """Whether ``key`` is a key of a vmae_mm model's state dict."""
    return any(
        key.startswith(prefix) and pattern.match(key[len(prefix):])
        for prefix, pattern in _PARTS)


def check_vmae_keys(keys: Iterable[str], source: str) -> None:
    """Raise a ``KeyError`` naming the first key that no vmae_mm model has.

    Args:
        keys (Iterable[str]): Keys of a converted state dict.
        source (str): What the keys came from, for the message.
    """
    for key in keys:
        if not is_vmae_key(key):
            raise KeyError(f'{source}: key {key!r} maps to no parameter of a '
                           f'vmae_mm model (backbone/neck/cls_head)')


def layout_of(state_dict: Dict[str, torch.Tensor]) -> Layout:
    """``'pretrain'`` (has a decoder), ``'finetune'`` (has a classifier) or
    ``'encoder'`` (backbone only) for a state dict in vmae_mm's layout."""
    if any(k.startswith('neck.') for k in state_dict):
        return 'pretrain'
    if any(k.startswith('cls_head.') for k in state_dict):
        return 'finetune'
    return 'encoder'


def num_blocks(state_dict: Dict[str, torch.Tensor], prefix: str) -> int:
    """Number of ``{prefix}blocks.{i}`` blocks in a state dict."""
    pattern = re.compile(re.escape(prefix) + r'blocks\.(\d+)\.')
    ids = {int(m.group(1)) for k in state_dict if (m := pattern.match(k))}
    if ids and ids != set(range(len(ids))):
        raise KeyError(f'{prefix}blocks: block indices {sorted(ids)} are not '
                       f'0..{len(ids) - 1}')
    return len(ids)
