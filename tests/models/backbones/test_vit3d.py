"""VisionTransformer3D: arch presets, LayerScale, stochastic depth,
checkpointing, position tables and their loading, SDPA vs explicit."""
import math

import numpy as np
import pytest
import torch

from vmae_mm.models.backbones import VisionTransformer3D
from vmae_mm.models.layers.pos_embed import sincos_table
from vmae_mm.models.utils.pos_embed_resize import (infer_grid,
                                                   resize_pos_embed)


def tiny(**kwargs) -> VisionTransformer3D:
    defaults = dict(arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                              mlp_dims=64), img_size=32, num_frames=4)
    torch.manual_seed(0)
    model = VisionTransformer3D(**dict(defaults, **kwargs))
    model.init_weights()
    return model


# (dims, depth, heads, mlp, patch) from the papers' model tables.
@pytest.mark.parametrize('arch,expected', [
    ('s', (384, 12, 6, 1536, 16)),
    ('b', (768, 12, 12, 3072, 16)),
    ('l', (1024, 24, 16, 4096, 16)),
    ('h', (1280, 32, 16, 5120, 16)),
    ('g', (1408, 40, 16, 6144, 14)),
])
def test_arch_zoo_matches_the_papers(arch, expected):
    settings = VisionTransformer3D.arch_zoo[arch]
    assert (settings['embed_dims'], settings['num_layers'],
            settings['num_heads'], settings['mlp_dims'],
            settings['patch_size']) == expected
    with torch.device('meta'):
        model = VisionTransformer3D(arch)
    first = model.blocks[0]
    assert len(model.blocks) == expected[1]
    assert first.attn.qkv.weight.shape == (3 * expected[0], expected[0])
    assert first.attn.qkv.bias is None and first.attn.q_bias is not None
    assert first.mlp.fc1.weight.shape == (expected[3], expected[0])
    assert first.norm1.eps == 1e-6
    grid = 224 // expected[4]
    assert model.pos_embed.shape == (1, 8 * grid * grid, expected[0])


def test_custom_arch_needs_its_keys():
    with pytest.raises(KeyError, match='num_heads'):
        VisionTransformer3D(dict(embed_dims=32, num_layers=2, mlp_dims=64))
    with pytest.raises(KeyError, match="unknown arch 'xl'"):
        VisionTransformer3D('xl')


def test_output_types():
    video = torch.randn(2, 3, 4, 32, 32)
    tokens = tiny().eval()(video)
    pooled = tiny(out_type='avg_featmap').eval()(video)
    assert tokens.shape == (2, 8, 32) and pooled.shape == (2, 32)
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[:, :6] = True
    assert tiny().eval()(video, mask).shape == (2, 2, 32)


def test_sincos_table_is_the_originals():
    """The original builds it in numpy float64 and casts to float32."""
    n, d = 25, 16  # a 1 x 5 x 5 grid
    angles = np.array([[p / np.power(10000, 2 * (j // 2) / d)
                        for j in range(d)] for p in range(n)])
    angles[:, 0::2] = np.sin(angles[:, 0::2])
    angles[:, 1::2] = np.cos(angles[:, 1::2])
    reference = torch.tensor(angles, dtype=torch.float)[None]
    assert torch.equal(tiny(arch=dict(embed_dims=d, num_layers=1,
                                      num_heads=2, mlp_dims=8),
                            img_size=80, num_frames=2).pos_embed,
                       sincos_table(n, d))
    assert torch.equal(sincos_table(n, d), reference)


def test_layerscale():
    plain = tiny()
    scaled = tiny(init_values=0.1)
    assert 'blocks.0.gamma_1' not in plain.state_dict()
    gamma = scaled.state_dict()['blocks.1.gamma_2']
    assert torch.equal(gamma, torch.full((32, ), 0.1))
    video = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        scaled.blocks[0].gamma_1.zero_()
        scaled.blocks[0].gamma_2.zero_()
        skipped = scaled.blocks[0](torch.ones(1, 8, 32))
    assert torch.equal(skipped, torch.ones(1, 8, 32))  # branches scaled to 0
    assert scaled.eval()(video).shape == (1, 8, 32)


def test_drop_path_rates_and_behaviour():
    model = tiny(arch=dict(embed_dims=32, num_layers=3, num_heads=2,
                           mlp_dims=64), drop_path_rate=0.5)
    rates = [block.drop_path.drop_prob for block in model.blocks]
    assert rates == pytest.approx([0.0, 0.25, 0.5])
    video = torch.randn(8, 3, 4, 32, 32)
    model.train()
    torch.manual_seed(1)
    first = model(video)
    torch.manual_seed(2)
    assert not torch.allclose(first, model(video))
    model.eval()
    assert torch.equal(model(video), model(video))


def test_gradient_checkpointing_gives_the_same_gradients():
    video = torch.randn(2, 3, 4, 32, 32)
    grads = []
    for with_cp in (False, True):
        model = tiny(with_cp=with_cp, out_type='avg_featmap')
        model(video).square().sum().backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters()})
    for name, grad in grads[0].items():
        torch.testing.assert_close(grads[1][name], grad, msg=name)


@pytest.mark.parametrize('masked', [False, True])
def test_sdpa_and_explicit_attention_agree(masked):
    video = torch.randn(2, 3, 4, 64, 64)
    sdpa = tiny(img_size=64, attn_impl='sdpa').eval()
    explicit = tiny(img_size=64, attn_impl='explicit').eval()
    explicit.load_state_dict(sdpa.state_dict())
    mask = None
    if masked:
        mask = torch.rand(2, 32).argsort(dim=1) < 24  # 24 masked per row
    with torch.no_grad():
        expected, actual = explicit(video, mask), sdpa(video, mask)
    assert (actual - expected).abs().max() < 1e-5 * expected.abs().max()


def test_fixed_table_is_not_saved_and_learnable_is():
    assert 'pos_embed' not in tiny().state_dict()
    learnable = tiny(pos_embed='learnable')
    assert 'pos_embed' in learnable.state_dict()
    assert learnable.pos_embed.std().item() == pytest.approx(0.02, rel=0.2)


def test_position_table_at_another_grid():
    fixed = tiny()
    assert torch.equal(fixed.position_table((4, 3, 3)),
                       sincos_table(36, 32))  # regenerated, as v1 does
    resized = tiny(sincos_grid=(2, 2, 2))
    assert torch.equal(resized.pos_embed, sincos_table(8, 32))
    assert torch.equal(resized.position_table((4, 3, 3)),
                       resize_pos_embed(sincos_table(8, 32), (2, 2, 2),
                                        (4, 3, 3)))
    learnable = tiny(pos_embed='learnable')
    table = learnable.position_table((4, 3, 3))
    assert table.shape == (1, 36, 32) and table.requires_grad
    assert learnable(torch.randn(1, 3, 8, 48, 48)).shape == (1, 36, 32)


def official_resize(pos, T, P, new_P, new_T):
    """VideoMAE v2's run_class_finetuning.py, written out."""
    C = pos.shape[-1]
    x = pos.reshape(-1, T, P, P, C).reshape(-1, P, P, C).permute(0, 3, 1, 2)
    x = torch.nn.functional.interpolate(x, size=(new_P, new_P),
                                        mode='bicubic', align_corners=False)
    x = x.permute(0, 2, 3, 1).reshape(-1, T, new_P, new_P, C).flatten(1, 3)
    x = x.reshape(-1, T, new_P, new_P, C)
    x = x.permute(0, 2, 3, 4, 1).reshape(-1, C, T)
    x = torch.nn.functional.interpolate(x, size=new_T, mode='linear')
    return x.reshape(1, new_P, new_P, C, new_T).permute(0, 4, 1, 2,
                                                         3).flatten(1, 3)


def test_resize_matches_the_official_finetuning():
    table = torch.randn(1, 2 * 3 * 3, 8)
    expected = official_resize(table, 2, 3, 5, 4)
    torch.testing.assert_close(resize_pos_embed(table, (2, 3, 3), (4, 5, 5)),
                               expected)
    assert resize_pos_embed(table, (2, 3, 3), (2, 3, 3)) is table
    with pytest.raises(ValueError, match='does not match'):
        resize_pos_embed(table, (2, 2, 2), (4, 4, 4))


def test_infer_grid():
    assert infer_grid(8 * 14 * 14, (8, 20, 20)) == (8, 14, 14)
    assert infer_grid(4 * 14 * 14, (8, 14, 14)) == (4, 14, 14)
    with pytest.raises(ValueError, match='resize_pos_embed'):
        infer_grid(7 * 5, (8, 14, 14))


def test_learnable_table_of_another_grid_is_resized_on_load():
    source = tiny(pos_embed='learnable', img_size=32)  # grid (2, 2, 2)
    target = tiny(pos_embed='learnable', img_size=48)  # grid (2, 3, 3)
    target.load_state_dict(source.state_dict())
    torch.testing.assert_close(
        target.pos_embed.data,
        resize_pos_embed(source.pos_embed.data, (2, 2, 2), (2, 3, 3)))


def test_fixed_table_in_a_checkpoint_is_dropped():
    """mmaction2 saves its sin-cos table; nothing is lost by dropping it."""
    state = dict(tiny().state_dict(), pos_embed=sincos_table(8, 32))
    model = tiny()
    assert model.load_state_dict(state, strict=True)
    assert torch.equal(model.pos_embed, sincos_table(8, 32))


def test_learned_table_into_a_fixed_table_model_is_an_error():
    state = dict(tiny().state_dict(), pos_embed=torch.randn(1, 8, 32))
    with pytest.raises(ValueError, match="pos_embed.*'learnable'"):
        tiny().load_state_dict(state)


def test_meta_device_build_is_cheap():
    with torch.device('meta'):
        model = VisionTransformer3D('h', out_type='avg_featmap',
                                    drop_path_rate=0.2)
    assert model.blocks[-1].drop_path.drop_prob == pytest.approx(0.2)
    assert model.patch_embed.proj.weight.is_meta


def test_no_weight_decay_and_layer_ids():
    model = tiny(pos_embed='learnable', init_values=0.1,
                 out_type='avg_featmap')
    names = model.no_weight_decay()
    assert {'pos_embed', 'blocks.0.gamma_1', 'blocks.1.attn.q_bias',
            'fc_norm.weight', 'patch_embed.proj.bias'} <= names
    assert 'blocks.0.attn.qkv.weight' not in names
    assert model.get_layer_id('patch_embed.proj.weight') == 0
    assert model.get_layer_id('pos_embed') == 0
    assert model.get_layer_id('blocks.1.mlp.fc1.weight') == 2
    assert model.get_layer_id('fc_norm.bias') == 3


def test_token_grid_rejects_indivisible_input():
    with pytest.raises(ValueError, match='tubelets'):
        tiny()(torch.randn(1, 3, 5, 32, 32))
    assert math.prod(tiny().grid) == 8
