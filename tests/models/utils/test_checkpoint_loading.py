"""The loader's rules: a pretraining checkpoint into a finetuning model with
exactly known dropped and fresh keys; everything else strict."""
import pytest
import torch
from mmengine.registry import init_default_scope

from vmae_mm.models.converters import vmae_to_official
from vmae_mm.models.utils.checkpoint_loading import (load_checkpoint,
                                                     load_state_dict_checked)
from vmae_mm.registry import MODELS

BACKBONE = dict(type='VisionTransformer3D',
                arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                          mlp_dims=64), img_size=32, num_frames=4)
PRETRAIN = dict(type='VideoMAE', backbone=BACKBONE,
                neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
                          num_layers=1, num_heads=2),
                head=dict(type='VideoMAEPretrainHead'),
                mask_generator=dict(type='TubeMasking', mask_ratio=0.75))


def finetune_cfg(num_classes=3, **backbone):
    return dict(type='Recognizer',
                backbone=dict(BACKBONE, out_type='avg_featmap', **backbone),
                cls_head=dict(type='VideoMAEClsHead', num_classes=num_classes,
                              in_channels=32))


def build(cfg):
    init_default_scope('vmae_mm')
    model = MODELS.build(cfg)
    model.init_weights()
    return model


@pytest.fixture
def pretrained():
    torch.manual_seed(0)
    model = build(PRETRAIN)
    with torch.no_grad():
        for param in model.parameters():
            param.add_(torch.randn_like(param))
    return model.state_dict()


def test_pretraining_checkpoint_into_finetuning_model(pretrained):
    model = build(finetune_cfg())
    report = load_state_dict_checked(model, pretrained)
    assert sorted(report.dropped) == sorted(
        [k for k in pretrained if k.startswith('neck.')] +
        ['backbone.norm.weight', 'backbone.norm.bias'])
    assert report.fresh == ['backbone.fc_norm.bias', 'backbone.fc_norm.weight',
                            'cls_head.fc_cls.bias', 'cls_head.fc_cls.weight']
    state = model.state_dict()
    for key in report.loaded:
        assert torch.equal(state[key], pretrained[key]), key
    assert torch.equal(state['backbone.fc_norm.weight'], torch.ones(32))
    assert state['cls_head.fc_cls.weight'].abs().max() < 1e-2  # scaled init


def test_official_file_into_finetuning_model(pretrained, tmp_path):
    path = tmp_path / 'checkpoint-1599.pth'
    torch.save(dict(model=vmae_to_official(pretrained)), path)
    model = build(finetune_cfg())
    report = load_checkpoint(model, str(path))
    assert report.source_format == 'official'
    assert len(report.fresh) == 4
    assert torch.equal(model.backbone.blocks[1].attn.qkv.weight,
                       pretrained['backbone.blocks.1.attn.qkv.weight'])


def test_backbone_pretrained_init_cfg(pretrained, tmp_path):
    path = tmp_path / 'pretrain.pth'
    torch.save(dict(model=vmae_to_official(pretrained)), path)
    cfg = finetune_cfg(init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                     prefix='backbone.'))
    model = build(cfg)
    assert torch.equal(model.backbone.patch_embed.proj.weight,
                       pretrained['backbone.patch_embed.proj.weight'])
    assert torch.equal(model.backbone.fc_norm.weight, torch.ones(32))


def test_head_of_another_size_is_dropped(pretrained):
    source = build(finetune_cfg(num_classes=10))
    target = build(finetune_cfg(num_classes=3))
    report = load_state_dict_checked(target, source.state_dict())
    assert sorted(report.dropped) == ['cls_head.fc_cls.bias',
                                      'cls_head.fc_cls.weight']
    assert report.fresh == ['cls_head.fc_cls.bias', 'cls_head.fc_cls.weight']


def test_finetuned_checkpoint_loads_completely():
    source = build(finetune_cfg())
    target = build(finetune_cfg())
    report = load_state_dict_checked(target, source.state_dict())
    assert report.dropped == [] and report.fresh == []


def test_mismatches_are_errors(pretrained):
    extra = dict(pretrained, **{'backbone.blocks.5.norm1.weight':
                                torch.ones(32)})
    with pytest.raises(KeyError, match='backbone.blocks.5.norm1.weight'):
        load_state_dict_checked(build(finetune_cfg()), extra)
    missing = dict(pretrained)
    del missing['backbone.blocks.0.mlp.fc1.weight']
    with pytest.raises(KeyError, match='backbone.blocks.0.mlp.fc1.weight'):
        load_state_dict_checked(build(finetune_cfg()), missing)
    wrong = dict(pretrained)
    wrong['backbone.blocks.1.attn.proj.weight'] = torch.ones(32, 16)
    with pytest.raises(RuntimeError, match='backbone.blocks.1.attn.proj'):
        load_state_dict_checked(build(finetune_cfg()), wrong)


def test_finetuned_checkpoint_cannot_fake_a_decoder():
    source = build(finetune_cfg())
    with pytest.raises(KeyError, match=r"does not have: \['cls_head.*"
                       r"the checkpoint does not have: .*'neck.mask_token'"):
        load_state_dict_checked(build(PRETRAIN), source.state_dict())


def test_prefix_selects_a_part(pretrained):
    backbone = build(dict(BACKBONE, out_type='avg_featmap'))
    report = load_checkpoint(backbone, pretrained, prefix='backbone.')
    assert report.fresh == ['fc_norm.bias', 'fc_norm.weight']
    assert report.dropped == ['norm.weight', 'norm.bias']
    with pytest.raises(KeyError, match="'encoder.'"):
        load_checkpoint(backbone, pretrained, prefix='encoder.')
