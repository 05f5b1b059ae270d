"""FLOPs counting against the paper's table and hand counts.

Unit everywhere: fvcore's, 1 multiply-add = 1 FLOP; only matrix products
are counted (see vmae_mm.analysis.flops).
"""
import pytest
import torch
from torch import nn

from vmae_mm.analysis import (FLOP_UNIT, count_flops, default_input_shape,
                              format_split, format_unsupported)
from vmae_mm.models import VisionTransformer3D
from vmae_mm.registry import MODELS

TINY = dict(embed_dims=64, num_layers=2, num_heads=4, mlp_dims=128)


def block_macs(tokens: int, dims: int, mlp_dims: int) -> int:
    """Multiply-adds of one pre-norm transformer block over ``tokens``.

    qkv ``N*D*3D`` + attention ``q k^T`` and ``attn v`` over all heads
    ``2 * N*N*D`` + proj ``N*D*D`` + fc1 and fc2 ``2 * N*D*M``.
    """
    qkv = tokens * dims * 3 * dims
    attention = 2 * tokens * tokens * dims
    proj = tokens * dims * dims
    mlp = 2 * tokens * dims * mlp_dims
    return qkv + attention + proj + mlp


def embed_macs(tokens: int, dims: int, patch_volume: int) -> int:
    """Tubelet embedding: one ``C*t*p*p -> D`` product per embedded token."""
    return tokens * patch_volume * dims


def vit_macs(tokens: int, dims: int, depth: int, mlp_dims: int,
             patch_volume: int = 3 * 2 * 16 * 16) -> int:
    """Embedding plus ``depth`` blocks (norms are not counted)."""
    return (embed_macs(tokens, dims, patch_volume) +
            depth * block_macs(tokens, dims, mlp_dims))


def build_classifier(arch, num_classes: int, **backbone) -> nn.Module:
    """The finetuning model: mean-pooled ViT with fc_norm, linear head."""
    dims = VisionTransformer3D._resolve_arch(arch)['embed_dims']
    return MODELS.build(dict(
        type='Recognizer',
        backbone=dict(type='VisionTransformer3D', arch=arch,
                      out_type='avg_featmap', **backbone),
        cls_head=dict(type='VideoMAEClsHead', num_classes=num_classes,
                      in_channels=dims)))


def build_videomae(arch='base', neck=None, decoder_mask=None, **backbone):
    neck = neck or dict(in_dims=768, embed_dims=384, num_layers=4,
                        num_heads=6)
    return MODELS.build(dict(
        type='VideoMAE',
        backbone=dict(type='VisionTransformer3D', arch=arch, **backbone),
        neck=dict(type='VideoMAEDecoder', **neck),
        head=dict(type='VideoMAEPretrainHead'),
        mask_generator=dict(type='TubeMasking', mask_ratio=0.9),
        decoder_mask_generator=decoder_mask))


def test_vitb_finetune_matches_paper():
    """ViT-B 16x224: 180 G and 87 M in the paper's table (SSv2 head)."""
    model = build_classifier('base', num_classes=174)
    report = count_flops(model, (1, 3, 16, 224, 224))
    assert report.mode == 'classify'
    assert report.tokens == dict(total=1568, encoder=1568)
    assert report.total / 1e9 == pytest.approx(180, rel=0.01)
    # 1568 tokens; the head adds 768 * 174.
    assert report.total == vit_macs(1568, 768, 12, 3072) + 768 * 174
    assert report.params / 1e6 == pytest.approx(87, rel=0.01)
    # Backbone 86.23 M (as in the original), fc_norm inside it, head 0.13 M.
    assert report.params == sum(p.numel() for p in model.parameters())
    assert report.unsupported_ops == {}


@pytest.mark.parametrize('attn_impl', ['sdpa', 'explicit'])
@pytest.mark.parametrize('init_values', [0.0, 0.1])
def test_tiny_classifier_matches_hand_count(attn_impl, init_values):
    """SDPA and explicit attention count the same two matrix products;
    LayerScale and the norms add nothing."""
    model = build_classifier(TINY, num_classes=10, img_size=32, num_frames=8,
                             attn_impl=attn_impl, init_values=init_values)
    report = count_flops(model, (1, 3, 8, 32, 32))
    tokens = 4 * 2 * 2  # 8 frames / 2, 32 / 16, 32 / 16
    per_block = block_macs(tokens, 64, 128)
    assert report.by_module['backbone.blocks.0'] == per_block
    assert report.by_module['backbone.patch_embed'] == embed_macs(
        tokens, 64, 1536)
    assert report.total == vit_macs(tokens, 64, 2, 128) + 64 * 10
    assert report.split == dict(backbone=vit_macs(tokens, 64, 2, 128),
                                cls_head=64 * 10)
    assert report.tokens == dict(total=tokens, encoder=tokens)
    assert report.unsupported_ops == {}


def test_batch_scales_total_not_per_sample():
    model = build_classifier(TINY, num_classes=10, img_size=32, num_frames=8)
    one = count_flops(model, (1, 3, 8, 32, 32))
    three = count_flops(model, (3, 3, 8, 32, 32))
    assert three.total == 3 * one.total
    assert three.per_sample == one.per_sample
    assert three.split == one.split


def test_other_input_size_counts_its_tokens():
    vit = MODELS.build(dict(type='VisionTransformer3D', arch=TINY,
                            img_size=32, num_frames=8,
                            out_type='avg_featmap'))
    report = count_flops(vit, (1, 3, 16, 64, 32))
    tokens = 8 * 4 * 2
    assert report.total == vit_macs(tokens, 64, 2, 128)
    assert report.tokens == dict(total=tokens, encoder=tokens)


def test_vitb_pretraining_split_matches_hand_count():
    """Encoder over the 160 visible tokens (tube 0.9 keeps 20 of 196 per
    slot), decoder over all 1568, prediction of the 1408 masked ones."""
    model = build_videomae()
    report = count_flops(model, (1, 3, 16, 224, 224))
    assert report.mode == 'pretrain'
    assert report.tokens == dict(total=1568, encoder=160, decoder=1568,
                                 predicted=1408)
    patch_embed = embed_macs(160, 768, 1536)
    encoder = 12 * block_macs(160, 768, 3072)
    decoder_pred = 1408 * 384 * 1536
    decoder = (160 * 768 * 384  # encoder_to_decoder, visible tokens only
               + 4 * block_macs(1568, 384, 1536) + decoder_pred)
    assert report.split == dict(patch_embed=patch_embed, encoder=encoder,
                                decoder=decoder, decoder_pred=decoder_pred)
    assert report.total == patch_embed + encoder + decoder
    # About 68 G hardware FLOPs per clip, more than half in the decoder.
    assert 2 * report.per_sample / 1e9 == pytest.approx(67.6, abs=0.1)
    assert report.split['decoder'] > report.per_sample / 2
    assert report.train_step_per_sample == 3 * report.per_sample
    assert report.params == sum(p.numel() for p in model.parameters())
    # Every op of the pass is either counted or ignored on purpose.
    assert report.unsupported_ops == {}


def test_decoder_masking_shows_its_saving():
    """VideoMAE v2's running-cell decoder mask at 0.5: the decoder sees the
    160 visible tokens plus 784 targets instead of 1568 tokens."""
    dense = count_flops(build_videomae(), (1, 3, 16, 224, 224))
    model = build_videomae(
        decoder_mask=dict(type='RunningCellMasking', mask_ratio=0.5))
    report = count_flops(model, (1, 3, 16, 224, 224))
    assert report.tokens == dict(total=1568, encoder=160, decoder=944,
                                 predicted=784)
    decoder = (160 * 768 * 384 + 4 * block_macs(944, 384, 1536) +
               784 * 384 * 1536)
    assert report.split['decoder'] == decoder
    assert report.split['encoder'] == dense.split['encoder']
    assert report.split['decoder'] < 0.6 * dense.split['decoder']


def test_count_restores_modes_and_random_state():
    model = build_videomae(TINY, img_size=32, num_frames=4,
                           neck=dict(in_dims=64, embed_dims=32, num_layers=1,
                                     num_heads=2))
    model.train()
    model.backbone.blocks[0].eval()  # e.g. a frozen part
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    report = count_flops(model, (2, 3, 4, 32, 32))
    assert torch.equal(torch.rand(3), expected)
    assert model.training and model.backbone.training
    assert not model.backbone.blocks[0].training
    assert model.backbone.blocks[1].training
    assert all(p.grad is None for p in model.parameters())
    assert report.tokens['encoder'] == 2  # 1 of 4 positions x 2 slots


def test_unknown_op_is_listed_once():
    """A multi-label classifier ending in a sigmoid: fvcore has no handle
    for it and it is not in the ignored list, so it is reported."""
    model = nn.Sequential(
        build_classifier(TINY, num_classes=10, img_size=32, num_frames=8),
        nn.Sigmoid())
    report = count_flops(model, (2, 3, 8, 32, 32))
    assert report.unsupported_ops == {'aten::sigmoid': 1}
    assert format_unsupported(report) == (
        'Not counted (fvcore has no handle): aten::sigmoid x1')


def test_format_states_unit_and_parts():
    model = build_videomae(TINY, img_size=32, num_frames=4,
                           neck=dict(in_dims=64, embed_dims=32, num_layers=1,
                                     num_heads=2))
    lines = format_split(count_flops(model, (1, 3, 4, 32, 32)))
    assert FLOP_UNIT in lines[0]
    text = '\n'.join(lines)
    for part in ('patch embedding', 'encoder', 'decoder', 'decoder_pred',
                 'forward', 'training step (3x forward)'):
        assert part in text


def test_default_input_shape_and_errors():
    model = build_videomae(TINY, img_size=32, num_frames=4,
                           neck=dict(in_dims=64, embed_dims=32, num_layers=1,
                                     num_heads=2))
    assert default_input_shape(model) == (3, 4, 32, 32)
    assert default_input_shape(model.backbone) == (3, 4, 32, 32)
    with pytest.raises(ValueError, match='--shape'):
        default_input_shape(nn.Linear(2, 2))
    with pytest.raises(ValueError, match='B, C, T, H, W'):
        count_flops(model, (3, 4, 32, 32))
    with pytest.raises(TypeError, match="mode='classify'"):
        count_flops(model.backbone, (1, 3, 4, 32, 32), mode='pretrain')
