"""Every config under configs/ loads, passes the config check and builds."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from vmae_mm.registry import MODELS
from vmae_mm.utils import check_config

CONFIG_DIR = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                      'configs')
CONFIGS = sorted(
    p for p in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
    if '_base_' not in p)
# the benchmark tool's configs build on the same ones
BENCH_CONFIGS = sorted(
    glob.glob(osp.join(osp.dirname(CONFIG_DIR), 'tools', 'analysis',
                       'configs', '*.py')))


def test_there_are_configs():
    names = {osp.basename(p) for p in CONFIGS}
    assert {'vmae_vitb_ssv2.py', 'vmae_vitb_k400.py',
            'vmae_vitt_synthetic.py'} <= names


@pytest.mark.parametrize(
    'path', CONFIGS + BENCH_CONFIGS,
    ids=[osp.relpath(p, osp.dirname(CONFIG_DIR))
         for p in CONFIGS + BENCH_CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'vmae_mm'
    check_config(cfg)
    init_default_scope('vmae_mm')
    with torch.device('meta'):  # shapes only: ViT-H builds in a second
        model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0


def test_vitb_ssv2_encoder_is_86m_and_trains_one_step_on_cpu():
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'vmae_vitb_ssv2.py'))
    assert cfg.train_dataloader.dataset.pipeline[1].frame_interval == 2
    assert cfg.model.mask_generator == dict(type='TubeMasking',
                                            mask_ratio=0.9)
    model = MODELS.build(cfg.model)
    encoder = sum(p.numel() for p in model.backbone.parameters())
    assert abs(encoder / 1e6 - 86.2) < 0.5
    torch.manual_seed(0)
    clip = torch.randint(0, 256, (1, 1, 3, 16, 224, 224), dtype=torch.uint8)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    data = model.data_preprocessor(dict(inputs=clip), training=True)
    loss = model(**data, mode='loss')['loss']
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    grads = [p.grad for p in model.backbone.parameters()
             if p.requires_grad]
    assert all(g is not None for g in grads)


def test_k400_config_uses_stride_4():
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'vmae_vitb_k400.py'))
    assert cfg.train_dataloader.dataset.pipeline[1].frame_interval == 4
