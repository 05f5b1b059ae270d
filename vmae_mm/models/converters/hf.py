"""transformers' VideoMAE (``VideoMAEForPreTraining``,
``VideoMAEForVideoClassification``, ``VideoMAEModel``) <-> vmae_mm.

transformers splits the fused ``qkv`` projection into ``query``, ``key`` and
``value`` linears (rows of ``qkv`` in that order) and renames every module.
The q/v biases are ``attention.attention.q_bias``/``v_bias`` in checkpoints
written by transformers 4 (the hub's VideoMAE models) and
``query.bias``/``value.bias`` in transformers 5, which renames the old names
on load; both are read, and the old names are written, which both versions
load. transformers has no LayerScale and no learnable position table: such
models cannot be written in its format.

Numerics: transformers builds ``fc_norm`` (classification) and the decoder's
``norm`` with LayerNorm's default eps 1e-5 whatever ``layer_norm_eps`` says;
the original (and vmae_mm) use 1e-6 there, so the same weights give outputs
that differ by about ``1e-5 / (2 * variance)`` relatively at those norms.
"""
import logging
import re
from typing import Dict, List, Optional

import torch
from mmengine.logging import print_log

from ..layers.pos_embed import sincos_table
from .keys import Layout, is_vmae_key, num_blocks

StateDict = Dict[str, torch.Tensor]

#: Block parameters, transformers name -> vmae_mm name (relative to a block).
_BLOCK_TO_VMAE = {
    'layernorm_before.weight': 'norm1.weight',
    'layernorm_before.bias': 'norm1.bias',
    'attention.attention.q_bias': 'attn.q_bias',
    'attention.attention.query.bias': 'attn.q_bias',
    'attention.attention.v_bias': 'attn.v_bias',
    'attention.attention.value.bias': 'attn.v_bias',
    'attention.output.dense.weight': 'attn.proj.weight',
    'attention.output.dense.bias': 'attn.proj.bias',
    'layernorm_after.weight': 'norm2.weight',
    'layernorm_after.bias': 'norm2.bias',
    'intermediate.dense.weight': 'mlp.fc1.weight',
    'intermediate.dense.bias': 'mlp.fc1.bias',
    'output.dense.weight': 'mlp.fc2.weight',
    'output.dense.bias': 'mlp.fc2.bias',
}
_QKV = ('query', 'key', 'value')
#: Non-block parameters, transformers prefix -> vmae_mm prefix.
_TOP_TO_VMAE = (
    ('videomae.embeddings.patch_embeddings.projection.',
     'backbone.patch_embed.proj.'),
    ('videomae.layernorm.', 'backbone.norm.'),
    ('fc_norm.', 'backbone.fc_norm.'),
    ('classifier.', 'cls_head.fc_cls.'),
    ('encoder_to_decoder.', 'neck.encoder_to_decoder.'),
    ('mask_token', 'neck.mask_token'),
    ('decoder.norm.', 'neck.norm.'),
    ('decoder.head.', 'neck.decoder_pred.'),
)
_BLOCK_PREFIXES = ((r'videomae\.encoder\.layer\.(\d+)\.', 'backbone.blocks.'),
                   (r'decoder\.decoder_layers\.(\d+)\.', 'neck.blocks.'))
_ARCH_LAYOUTS = (('VideoMAEForVideoClassification', 'finetune'),
                 ('VideoMAEForPreTraining', 'pretrain'),
                 ('VideoMAEModel', 'encoder'))
#: Decoder heads of the official pretraining models, by decoder width.
OFFICIAL_DECODER_HEADS = {192: 3, 384: 6, 512: 8, 640: 8}


def _with_model_prefix(state_dict: StateDict) -> StateDict:
    """A bare ``VideoMAEModel`` saves without the ``videomae.`` prefix."""
    bare = ('embeddings.', 'encoder.layer.', 'layernorm.')
    if any(k.startswith(bare) for k in state_dict):
        return {('videomae.' + k if k.startswith(bare) else k): v
                for k, v in state_dict.items()}
    return state_dict


def hf_to_vmae(state_dict: StateDict) -> StateDict:
    """Convert a transformers VideoMAE state dict to vmae_mm's keys.

    Args:
        state_dict (dict[str, Tensor]): transformers state dict.

    Returns:
        dict[str, Tensor]: vmae_mm state dict (``qkv`` fused).

    Raises:
        KeyError: Naming a key with no vmae_mm counterpart, or a block whose
            query, key or value weight is missing.
    """
    out: StateDict = {}
    qkv: Dict[str, Dict[str, torch.Tensor]] = {}
    for key, value in _with_model_prefix(state_dict).items():
        new = _rename_to_vmae(key, qkv, value)
        if new is None:
            continue  # a query/key/value weight, fused below
        if not is_vmae_key(new):
            raise KeyError(f'transformers checkpoint: key {key!r} has no '
                           f'vmae_mm counterpart')
        out[new] = value
    for block, parts in qkv.items():
        missing = [p for p in _QKV if p not in parts]
        if missing:
            raise KeyError(f'transformers checkpoint: {block} lacks the '
                           f'{missing} weight(s) of its attention')
        out[block + 'attn.qkv.weight'] = torch.cat(
            [parts[p] for p in _QKV])  # (3*H*d, D), rows q, k, v
    return out


def _rename_to_vmae(key: str, qkv: dict, value: torch.Tensor
                    ) -> Optional[str]:
    for pattern, prefix in _BLOCK_PREFIXES:
        match = re.match(pattern, key)
        if match:
            block = f'{prefix}{match.group(1)}.'
            rest = key[match.end():]
            qkv_match = re.fullmatch(r'attention\.attention\.(query|key|value)'
                                     r'\.weight', rest)
            if qkv_match:
                qkv.setdefault(block, {})[qkv_match.group(1)] = value
                return None
            if rest not in _BLOCK_TO_VMAE:
                raise KeyError(f'transformers checkpoint: key {key!r} has no '
                               f'vmae_mm counterpart')
            return block + _BLOCK_TO_VMAE[rest]
    for src, dst in _TOP_TO_VMAE:
        if key.startswith(src):
            return dst + key[len(src):]
    raise KeyError(f'transformers checkpoint: key {key!r} has no vmae_mm '
                   f'counterpart')


def vmae_to_hf(state_dict: StateDict,
               legacy_bias_names: bool = True) -> StateDict:
    """Convert a vmae_mm state dict to transformers' keys.

    Args:
        state_dict (dict[str, Tensor]): vmae_mm state dict.
        legacy_bias_names (bool): Write q/v biases as ``q_bias``/``v_bias``
            (loaded by transformers 4 and 5) rather than
            ``query.bias``/``value.bias`` (transformers 5 only).
            Defaults to True.

    Returns:
        dict[str, Tensor]: transformers state dict, contiguous tensors.

    Raises:
        ValueError: For LayerScale or a learned position table, which
            transformers' VideoMAE cannot hold.
        KeyError: Naming a key that is not a vmae_mm key.
    """
    q_name, v_name = (('q_bias', 'v_bias') if legacy_bias_names else
                      ('query.bias', 'value.bias'))
    block_to_hf = {v: k for k, v in _BLOCK_TO_VMAE.items()
                   if not k.endswith(('q_bias', 'v_bias', 'query.bias',
                                      'value.bias'))}
    block_to_hf['attn.q_bias'] = f'attention.attention.{q_name}'
    block_to_hf['attn.v_bias'] = f'attention.attention.{v_name}'
    hf_blocks = {'backbone.blocks.': 'videomae.encoder.layer.',
                 'neck.blocks.': 'decoder.decoder_layers.'}
    out: StateDict = {}
    for key, value in state_dict.items():
        if not is_vmae_key(key):
            raise KeyError(f'vmae_mm checkpoint: key {key!r} is not a '
                           f'vmae_mm model key')
        if key == 'backbone.pos_embed':
            _check_fixed_table(value)
            continue
        match = re.match(r'(backbone\.blocks\.|neck\.blocks\.)(\d+)\.(.+)$',
                         key)
        if match:
            prefix, index, rest = match.groups()
            block = f'{hf_blocks[prefix]}{index}.'
            if rest in ('gamma_1', 'gamma_2'):
                raise ValueError(f'{key}: transformers VideoMAE has no '
                                 f'LayerScale; this model cannot be written '
                                 f'in its format')
            if rest == 'attn.qkv.weight':
                for name, part in zip(_QKV, value.chunk(3)):
                    out[f'{block}attention.attention.{name}.weight'] = part
                continue
            out[block + block_to_hf[rest]] = value
            continue
        hf_prefix, vmae_prefix = next((h, v) for h, v in _TOP_TO_VMAE
                                      if key.startswith(v))
        out[hf_prefix + key[len(vmae_prefix):]] = value
    return {k: v.contiguous().clone() for k, v in out.items()}


def _check_fixed_table(table: torch.Tensor) -> None:
    table = table.reshape(1, -1, table.shape[-1]).float().cpu()
    reference = sincos_table(table.shape[1], table.shape[2])
    if not torch.allclose(table, reference, atol=1e-4):
        raise ValueError('backbone.pos_embed: a learned position table; '
                         'transformers VideoMAE only has the fixed sin-cos '
                         'table, so this model cannot be written in its '
                         'format')
    print_log('backbone.pos_embed: the fixed sin-cos table, not written '
              '(transformers builds it itself)', logger='current',
              level=logging.INFO)


def _backbone_heads(backbone_cfg: dict, dims: int) -> int:
    from ..backbones.vit3d import VisionTransformer3D
    arch = backbone_cfg.get('arch')
    if isinstance(arch, dict):
        settings = arch
    elif isinstance(arch, str):
        settings = VisionTransformer3D._resolve_arch(arch)
    else:
        matches = [a for a in VisionTransformer3D.arch_zoo.values()
                   if a['embed_dims'] == dims]
        if not matches:
            raise ValueError(f'no arch preset has width {dims}; pass a '
                             f'config to give the number of heads')
        settings = matches[0]
    if settings['embed_dims'] != dims:
        raise ValueError(f"the config's arch has width "
                         f"{settings['embed_dims']} but the checkpoint's "
                         f'patch embedding has {dims}')
    return settings['num_heads']


def hf_config_from_vmae(state_dict: StateDict,
                        model_cfg: Optional[dict] = None) -> dict:
    """A transformers ``config.json`` dict for a vmae_mm state dict.

    Shapes give the widths, depths and patch sizes; ``model_cfg`` (the
    ``model`` dict of a vmae_mm config) gives what shapes cannot: heads,
    input size and frames, LayerNorm eps, target normalization. Without it,
    the official presets and a 16x224 input are assumed (logged).

    Args:
        state_dict (dict[str, Tensor]): vmae_mm state dict.
        model_cfg (dict, optional): vmae_mm model config. Defaults to None.

    Returns:
        dict: Keyword arguments of ``transformers.VideoMAEConfig`` plus
        ``architectures`` and ``model_type``.

    Raises:
        ValueError: If the config asks for something transformers cannot
            represent (learnable or resized position table, LayerScale).
    """
    model_cfg = dict(model_cfg or {})
    backbone = dict(model_cfg.get('backbone') or {})
    neck = dict(model_cfg.get('neck') or {})
    if backbone.get('pos_embed', 'sincos') != 'sincos' or backbone.get(
            'sincos_grid'):
        raise ValueError('transformers VideoMAE regenerates the fixed sin-cos '
                         'table; a learnable or resized table cannot be '
                         'written in its format')
    if not model_cfg:
        print_log('no vmae_mm config given: assuming the official presets '
                  '(heads by width) and 16-frame 224x224 input',
                  logger='current', level=logging.WARNING)
    proj = state_dict['backbone.patch_embed.proj.weight']  # (D, C, t, p, p)
    dims, channels, tubelet, patch, _ = proj.shape
    config = dict(
        model_type='videomae',
        image_size=backbone.get('img_size', 224),
        patch_size=patch,
        num_channels=channels,
        num_frames=backbone.get('num_frames', 16),
        tubelet_size=tubelet,
        hidden_size=dims,
        num_hidden_layers=num_blocks(state_dict, 'backbone.'),
        num_attention_heads=_backbone_heads(backbone, dims),
        intermediate_size=state_dict['backbone.blocks.0.mlp.fc1.weight']
        .shape[0],
        hidden_act='gelu',
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        initializer_range=0.02,
        layer_norm_eps=backbone.get('norm_eps', 1e-6),
        qv_bias='backbone.blocks.0.attn.q_bias' in state_dict,
        use_mean_pooling='backbone.fc_norm.weight' in state_dict,
    )
    if 'cls_head.fc_cls.weight' in state_dict:
        num_classes = state_dict['cls_head.fc_cls.weight'].shape[0]
        config['architectures'] = ['VideoMAEForVideoClassification']
        config['id2label'] = {str(i): f'LABEL_{i}' for i in range(num_classes)}
        config['label2id'] = {f'LABEL_{i}': i for i in range(num_classes)}
    elif 'neck.encoder_to_decoder.weight' in state_dict:
        dec_dims = state_dict['neck.encoder_to_decoder.weight'].shape[0]
        out_dims = state_dict['neck.decoder_pred.weight'].shape[0]
        if out_dims != channels * tubelet * patch * patch:
            raise ValueError(f'neck.decoder_pred predicts {out_dims} values '
                             f'per token; transformers predicts '
                             f'{channels * tubelet * patch * patch}')
        heads = neck.get('num_heads', OFFICIAL_DECODER_HEADS.get(dec_dims))
        if heads is None:
            raise ValueError(f'decoder width {dec_dims} is not an official '
                             f'preset; pass a config to give its heads')
        config.update(
            architectures=['VideoMAEForPreTraining'],
            decoder_hidden_size=dec_dims,
            decoder_num_hidden_layers=num_blocks(state_dict, 'neck.'),
            decoder_num_attention_heads=heads,
            decoder_intermediate_size=state_dict[
                'neck.blocks.0.mlp.fc1.weight'].shape[0],
            norm_pix_loss=dict(model_cfg.get('head') or {}).get(
                'norm_pix', True))
    else:
        config['architectures'] = ['VideoMAEModel']
    return config


def _square(value, name: str) -> int:
    if isinstance(value, (list, tuple)):
        if len(set(value)) != 1:
            raise ValueError(f'transformers config: non-square {name} '
                             f'{value} is not supported')
        value = value[0]
    return int(value)


def vmae_model_cfg_from_hf(hf_config: dict,
                           layout: Optional[Layout] = None) -> dict:
    """The vmae_mm model config that computes what a transformers VideoMAE
    config describes: ``Recognizer`` for classification, ``VideoMAE`` for
    pretraining, the bare backbone for an encoder.

    Args:
        hf_config (dict): A transformers ``config.json`` as a dict.
        layout (str, optional): ``'finetune'``, ``'pretrain'`` or
            ``'encoder'`` (see :func:`~vmae_mm.models.converters.layout_of`);
            read from the config's ``architectures`` when None.

    Returns:
        dict: A vmae_mm ``model`` config.

    Raises:
        ValueError: For settings vmae_mm does not model (first-token
            pooling, an activation other than GELU), or an unknown layout.
    """
    cfg = dict(hf_config)
    if cfg.get('hidden_act', 'gelu') != 'gelu':
        raise ValueError(f"transformers config: hidden_act "
                         f"{cfg['hidden_act']!r} is not supported (GELU only)")
    eps = cfg.get('layer_norm_eps', 1e-12)
    if eps != 1e-6:
        print_log(f'transformers config: layer_norm_eps={eps}; the original '
                  f'VideoMAE uses 1e-6 (transformers defaults to 1e-12)',
                  logger='current', level=logging.WARNING)
    hidden = cfg.get('hidden_size', 768)
    patch = _square(cfg.get('patch_size', 16), 'patch_size')
    if layout is None:
        architectures: List[str] = cfg.get('architectures') or []
        layout = next((name for arch, name in _ARCH_LAYOUTS
                       if arch in architectures), None)
        if layout is None:
            raise ValueError(f'transformers config: architectures '
                             f'{architectures} name no VideoMAE model; pass '
                             f'the layout')
    if layout not in ('finetune', 'pretrain', 'encoder'):
        raise ValueError(f'unknown layout {layout!r}')
    classify, pretrain = layout == 'finetune', layout == 'pretrain'
    mean_pool = cfg.get('use_mean_pooling', True)
    if classify and not mean_pool:
        raise ValueError('transformers config: classification from the first '
                         'token (use_mean_pooling=False) is not supported')
    backbone = dict(
        type='VisionTransformer3D',
        arch=dict(embed_dims=hidden,
                  num_layers=cfg.get('num_hidden_layers', 12),
                  num_heads=cfg.get('num_attention_heads', 12),
                  mlp_dims=cfg.get('intermediate_size', 3072),
                  patch_size=patch),
        img_size=_square(cfg.get('image_size', 224), 'image_size'),
        num_frames=cfg.get('num_frames', 16),
        tubelet_size=cfg.get('tubelet_size', 2),
        in_channels=cfg.get('num_channels', 3),
        qkv_bias=cfg.get('qv_bias', True),
        norm_eps=eps,
        out_type='avg_featmap' if classify else 'tokens')
    if classify:
        num_classes = len(cfg['id2label']) if cfg.get('id2label') else cfg.get(
            'num_labels', 2)
        return dict(type='Recognizer', backbone=backbone,
                    cls_head=dict(type='VideoMAEClsHead',
                                  num_classes=num_classes,
                                  in_channels=hidden))
    if not pretrain:
        return backbone
    tubelet, channels = backbone['tubelet_size'], backbone['in_channels']
    dec_hidden = cfg.get('decoder_hidden_size', 384)
    return dict(
        type='VideoMAE',
        backbone=backbone,
        neck=dict(type='VideoMAEDecoder', in_dims=hidden,
                  embed_dims=dec_hidden,
                  num_layers=cfg.get('decoder_num_hidden_layers', 4),
                  num_heads=cfg.get('decoder_num_attention_heads', 6),
                  mlp_ratio=cfg.get('decoder_intermediate_size', 1536) /
                  dec_hidden,
                  out_dims=channels * tubelet * patch * patch,
                  qkv_bias=cfg.get('qv_bias', True), norm_eps=eps),
        head=dict(type='VideoMAEPretrainHead', tubelet_size=tubelet,
                  patch_size=patch, norm_pix=cfg.get('norm_pix_loss', True)),
        mask_generator=dict(type='TubeMasking', mask_ratio=0.9))

