"""mmaction2's VideoMAE key layout converts to the same model."""
import pytest
import torch
from mmengine.registry import init_default_scope

from vmae_mm.models.converters import detect_format, mmaction2_to_vmae
from vmae_mm.models.layers.pos_embed import sincos_table
from vmae_mm.models.utils.checkpoint_loading import load_state_dict_checked
from vmae_mm.registry import MODELS

CFG = dict(type='Recognizer',
           backbone=dict(type='VisionTransformer3D',
                         arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                                   mlp_dims=64), img_size=32, num_frames=4,
                         out_type='avg_featmap'),
           cls_head=dict(type='VideoMAEClsHead', num_classes=4,
                         in_channels=32, init_scale=1.0))


def build():
    init_default_scope('vmae_mm')
    model = MODELS.build(CFG)
    model.init_weights()
    return model.eval()


def mmaction2_by_hand(ours):
    """Rename as ANCHORS.md lists; mmaction2 also saves its sin-cos buffer
    and its preprocessor's constants."""
    out = {}
    for key, value in ours.items():
        key = key.replace('patch_embed.proj.', 'patch_embed.projection.')
        key = key.replace('.mlp.fc1.', '.mlp.layers.0.0.')
        key = key.replace('.mlp.fc2.', '.mlp.layers.1.')
        out[key] = value
    out['backbone.pos_embed'] = sincos_table(8, 32)
    out['data_preprocessor.mean'] = torch.tensor([123.675, 116.28, 103.53])
    out['data_preprocessor.std'] = torch.tensor([58.395, 57.12, 57.375])
    return out


def test_converts_to_the_same_model():
    source = build()
    state = mmaction2_by_hand(source.state_dict())
    assert detect_format(state) == 'mmaction2'
    target = MODELS.build(CFG).eval()
    report = load_state_dict_checked(target, mmaction2_to_vmae(state))
    assert report.fresh == []
    video = torch.randn(2, 3, 4, 32, 32)
    with torch.no_grad():
        assert torch.equal(target.logits(video), source.logits(video))


def test_learned_table_needs_a_learnable_model():
    state = mmaction2_by_hand(build().state_dict())
    state['backbone.pos_embed'] = torch.randn(1, 8, 32)
    with pytest.raises(ValueError, match="'learnable'"):
        load_state_dict_checked(MODELS.build(CFG), mmaction2_to_vmae(state))
    cfg = dict(CFG, backbone=dict(CFG['backbone'], pos_embed='learnable'))
    model = MODELS.build(cfg)
    load_state_dict_checked(model, mmaction2_to_vmae(state))
    assert torch.equal(model.backbone.pos_embed.data,
                       state['backbone.pos_embed'])


def test_unknown_key_is_named():
    state = mmaction2_by_hand(build().state_dict())
    state['backbone.blocks.0.mlp.layers.2.weight'] = torch.zeros(1)
    with pytest.raises(KeyError, match='mlp.layers.2.weight'):
        mmaction2_to_vmae(state)
