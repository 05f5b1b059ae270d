"""init_model: config file or object, converter-aware loading, eval mode."""
import pytest
import torch
from mmengine.config import Config

from vmae_mm.apis import init_model
from vmae_mm.models.converters import vmae_to_official

MODEL = '''
default_scope = 'vmae_mm'
backbone = dict(type='VisionTransformer3D',
                arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                          mlp_dims=64), img_size=32, num_frames=4)
'''
FINETUNE = MODEL + '''
model = dict(type='Recognizer',
             backbone=dict(backbone, out_type='avg_featmap',
                           init_cfg=dict(type='Pretrained',
                                         checkpoint='absent.pth')),
             cls_head=dict(type='VideoMAEClsHead', num_classes=3,
                           in_channels=32))
'''
PRETRAIN = MODEL + '''
model = dict(type='VideoMAE', backbone=backbone,
             neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
                       num_layers=1, num_heads=2),
             head=dict(type='VideoMAEPretrainHead'),
             mask_generator=dict(type='TubeMasking', mask_ratio=0.75))
'''


@pytest.fixture
def configs(tmp_path):
    paths = {}
    for name, text in (('finetune', FINETUNE), ('pretrain', PRETRAIN)):
        paths[name] = tmp_path / f'{name}.py'
        paths[name].write_text(text)
    return paths


def test_pretraining_checkpoint_into_finetuning_config(configs, tmp_path):
    pretrain = init_model(configs['pretrain'])
    assert not pretrain.training
    with torch.no_grad():
        for param in pretrain.parameters():
            param.add_(1.0)
    path = tmp_path / 'checkpoint-800.pth'
    torch.save(dict(model=vmae_to_official(pretrain.state_dict())), path)
    # The config's Pretrained init_cfg names a file that does not exist:
    # the checkpoint given here replaces it.
    model = init_model(str(configs['finetune']), str(path))
    assert not model.training and isinstance(model.cfg, Config)
    for name, value in model.backbone.state_dict().items():
        if not name.startswith('fc_norm'):
            assert torch.equal(value,
                               pretrain.backbone.state_dict()[name]), name
    assert torch.equal(model.backbone.fc_norm.weight, torch.ones(32))
    scores = model(torch.randn(2, 3, 4, 32, 32))
    torch.testing.assert_close(scores.sum(-1), torch.ones(2))


def test_config_object_and_own_checkpoint(configs, tmp_path):
    cfg = Config.fromfile(str(configs['finetune']))
    cfg.model.backbone.init_cfg = None
    first = init_model(cfg)
    path = tmp_path / 'best.pth'
    torch.save(dict(state_dict=first.state_dict(), meta=dict(epoch=3)), path)
    second = init_model(cfg, str(path), device='cpu')
    video = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        assert torch.equal(first(video), second(video))


def test_missing_pretrained_file_is_reported(configs):
    with pytest.raises(FileNotFoundError, match='absent.pth'):
        init_model(configs['finetune'])
