"""transformers' VideoMAE built to match a vmae_mm model config, for
side-by-side benchmarks (and the same numbers of parameters and FLOPs)."""
from typing import Any, Dict

import torch

MODES = ('pretrain', 'classify')


def hf_config(model_cfg: Dict[str, Any], mode: str, attn: str,
              num_classes: int = 400):
    """A ``transformers.VideoMAEConfig`` for a vmae_mm ``model`` config.

    Args:
        model_cfg (dict): ``cfg.model`` of a ``VideoMAE`` or ``Recognizer``.
        mode (str): ``'pretrain'`` or ``'classify'``.
        attn (str): ``'sdpa'`` or ``'eager'``.
        num_classes (int): Classifier width for ``'classify'``.
    """
    from transformers import VideoMAEConfig

    from vmae_mm.models.backbones.vit3d import VisionTransformer3D

    backbone = model_cfg['backbone']
    arch = VisionTransformer3D._resolve_arch(backbone.get('arch', 'base'))
    config = VideoMAEConfig(
        image_size=backbone.get('img_size', 224),
        num_frames=backbone.get('num_frames', 16),
        tubelet_size=backbone.get('tubelet_size', 2),
        patch_size=backbone.get('patch_size') or arch['patch_size'],
        hidden_size=arch['embed_dims'],
        num_hidden_layers=arch['num_layers'],
        num_attention_heads=arch['num_heads'],
        intermediate_size=arch['mlp_dims'],
        qkv_bias=backbone.get('qkv_bias', True),
        layer_norm_eps=1e-6,
        use_mean_pooling=mode == 'classify',
        norm_pix_loss=True,
        num_labels=num_classes,
        attn_implementation=attn)
    if mode == 'pretrain':
        neck = model_cfg['neck']
        config.decoder_hidden_size = neck.get('embed_dims', 384)
        config.decoder_num_hidden_layers = neck.get('num_layers', 4)
        config.decoder_num_attention_heads = neck.get('num_heads', 6)
        config.decoder_intermediate_size = int(
            neck.get('embed_dims', 384) * neck.get('mlp_ratio', 4.0))
    return config


def build_hf_model(model_cfg: Dict[str, Any], mode: str, attn: str,
                   num_classes: int = 400) -> torch.nn.Module:
    """``VideoMAEForPreTraining`` or ``VideoMAEForVideoClassification``."""
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    from transformers import (VideoMAEForPreTraining,
                              VideoMAEForVideoClassification)
    config = hf_config(model_cfg, mode, attn, num_classes)
    cls = (VideoMAEForPreTraining
           if mode == 'pretrain' else VideoMAEForVideoClassification)
    return cls(config)
