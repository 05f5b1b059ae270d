"""Layer-wise lr decay groups of VideoMAEOptimWrapperConstructor on a tiny
Recognizer: ids, lr scales (the official ``decay ** (depth + 1 - id)``),
the no-decay set, and the ratios surviving auto_scale_lr and the
warm-up + cosine schedulers."""
import math

import pytest
import torch
from mmengine.optim import CosineAnnealingLR, LinearLR
from mmengine.registry import init_default_scope

from vmae_mm.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

DEPTH = 3
DECAY = 0.75
BASE_LR = 5e-4
WD = 0.05


def tiny_recognizer(**backbone):
    init_default_scope('vmae_mm')
    return MODELS.build(dict(
        type='Recognizer',
        backbone=dict(type='VisionTransformer3D',
                      arch=dict(embed_dims=16, num_layers=DEPTH, num_heads=2,
                                mlp_dims=32),
                      img_size=16, num_frames=4, out_type='avg_featmap',
                      **backbone),
        cls_head=dict(type='VideoMAEClsHead', num_classes=5,
                      in_channels=16)))


def build_wrapper(model, decay=DECAY):
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='VideoMAEOptimWrapperConstructor',
        optim_wrapper_cfg=dict(
            type='OptimWrapper',
            optimizer=dict(type='AdamW', lr=BASE_LR, betas=(0.9, 0.999),
                           weight_decay=WD)),
        paramwise_cfg=None if decay is None else dict(
            layer_decay_rate=decay)))
    return constructor(model)


def official_layer_id(name: str) -> int:
    """The original ``get_num_layer_for_vit`` on our names (the backbone's
    part without its prefix; everything else is the top)."""
    if name.startswith('backbone.'):
        name = name[len('backbone.'):]
        if name in ('cls_token', 'mask_token', 'pos_embed') or \
                name.startswith('patch_embed'):
            return 0
        if name.startswith('blocks'):
            return int(name.split('.')[1]) + 1
    return DEPTH + 1


def group_of(optimizer, param):
    for group in optimizer.param_groups:
        if any(p is param for p in group['params']):
            return group
    raise AssertionError('parameter in no group')


def test_ids_scales_and_no_decay_set_match_the_original():
    model = tiny_recognizer(pos_embed='learnable')
    optimizer = build_wrapper(model).optimizer
    seen = 0
    for name, param in model.named_parameters():
        group = group_of(optimizer, param)
        layer_id = official_layer_id(name)
        assert group['layer_id'] == layer_id, name
        scale = DECAY**(DEPTH + 1 - layer_id)
        assert group['lr_scale'] == pytest.approx(scale), name
        assert group['lr'] == pytest.approx(BASE_LR * scale), name
        # the original exempts every 1-D parameter, every bias and the
        # model's skip list (pos_embed)
        exempt = param.ndim == 1 or name.endswith('.bias') or \
            name == 'backbone.pos_embed'
        assert group['weight_decay'] == (0.0 if exempt else WD), name
        seen += 1
    assert seen == sum(len(g['params']) for g in optimizer.param_groups)
    # one group per (layer, decay or not); embeddings have both kinds
    keys = {(g['layer_id'], g['weight_decay']) for g in optimizer.param_groups}
    assert len(keys) == len(optimizer.param_groups)
    assert {g['layer_id'] for g in optimizer.param_groups} == set(
        range(DEPTH + 2))
    head = group_of(optimizer, model.cls_head.fc_cls.weight)
    assert head['lr'] == pytest.approx(BASE_LR)  # scale 1 at the top
    embed = group_of(optimizer, model.backbone.patch_embed.proj.weight)
    assert embed['lr'] == pytest.approx(BASE_LR * DECAY**(DEPTH + 1))


def test_frozen_head_keeps_the_original_scale():
    """The scale is measured from depth + 1, not from the highest id that
    happens to be trainable."""
    model = tiny_recognizer()
    for param in model.cls_head.parameters():
        param.requires_grad_(False)
    for param in model.backbone.fc_norm.parameters():
        param.requires_grad_(False)
    optimizer = build_wrapper(model).optimizer
    last_block = group_of(optimizer, model.backbone.blocks[-1].attn.qkv.weight)
    assert last_block['layer_id'] == DEPTH
    assert last_block['lr_scale'] == pytest.approx(DECAY)


def test_without_layer_decay_one_lr_and_two_groups():
    model = tiny_recognizer()
    optimizer = build_wrapper(model, decay=None).optimizer
    assert len(optimizer.param_groups) == 2
    assert all(g['lr'] == BASE_LR for g in optimizer.param_groups)
    assert sorted(g['weight_decay'] for g in optimizer.param_groups) == [
        0.0, WD]


def test_unknown_paramwise_key_is_refused():
    with pytest.raises(KeyError, match='layer_decay_rate'):
        OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
            type='VideoMAEOptimWrapperConstructor',
            optim_wrapper_cfg=dict(type='OptimWrapper',
                                   optimizer=dict(type='AdamW', lr=1e-3)),
            paramwise_cfg=dict(layer_decay=0.75)))


def test_ratios_survive_auto_scale_lr_and_the_schedulers():
    """auto_scale_lr multiplies every group (as mmengine's Runner.scale_lr
    does, before the schedulers exist); the warm-up and the cosine then act
    on each group's own initial_lr, so at every step each group's lr is
    the original's ``schedule(step) * lr_scale``."""
    model = tiny_recognizer()
    wrapper = build_wrapper(model)
    optimizer = wrapper.optimizer
    batch_factor = 2.0  # e.g. 512 clips per step for an lr per 256
    for group in optimizer.param_groups:  # Runner.scale_lr
        group['lr'] = group['lr'] * batch_factor
    warmup_lr = min_lr = 1e-6
    warmup, total = 4, 12  # iterations
    schedulers = [
        LinearLR(optimizer, start_factor=warmup_lr / BASE_LR, by_epoch=False,
                 begin=0, end=warmup),
        CosineAnnealingLR(optimizer, eta_min_ratio=min_lr / BASE_LR,
                          by_epoch=False, begin=warmup, end=total),
    ]
    peak = BASE_LR * batch_factor

    def schedule(step):
        """The original's ``cosine_scheduler``: ``np.linspace(start, peak,
        warmup)`` (the peak on the last warm-up step), then cosine from the
        peak towards the minimum."""
        if step < warmup:
            start = warmup_lr * batch_factor
            return start + (peak - start) * step / (warmup - 1)
        final = min_lr * batch_factor
        t = (step - warmup) / (total - warmup)
        return final + 0.5 * (peak - final) * (1 + math.cos(math.pi * t))

    for step in range(total):
        for group in optimizer.param_groups:
            assert group['lr'] == pytest.approx(
                schedule(step) * group['lr_scale'], rel=1e-6), (step, group[
                    'layer_id'])
        loss = model.logits(torch.randn(2, 3, 4, 16, 16)).sum()
        wrapper.update_params(loss)
        for scheduler in schedulers:
            scheduler.step()
    head = group_of(optimizer, model.cls_head.fc_cls.weight)
    embed = group_of(optimizer, model.backbone.patch_embed.proj.weight)
    assert embed['lr'] / head['lr'] == pytest.approx(DECAY**(DEPTH + 1))
    assert embed['initial_lr'] == pytest.approx(
        peak * DECAY**(DEPTH + 1))
