"""The finetuning configs build their datasets and turn one real 320x240
video into the official inputs: training (C, 16, 224, 224), 6 test views on
SSv2 and 15 on Kinetics-400."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import FUNCTIONS
from mmengine.runner import Runner

from tests.conftest import REPO_ROOT, gradient_frames, write_video
from vmae_mm.datasets import multi_sample_collate
from vmae_mm.registry import DATASETS, MODELS

CONFIGS = osp.join(REPO_ROOT, 'configs')


@pytest.fixture(scope='module')
def one_video(tmp_path_factory):
    root = tmp_path_factory.mktemp('ft')
    write_video(str(root / 'v.mp4'), gradient_frames(80, 240, 320))
    (root / 'list.txt').write_text('v.mp4 3\n')
    return str(root)


def build(cfg, split, root):
    dataset_cfg = cfg[f'{split}_dataloader'].dataset.copy()
    dataset_cfg.update(ann_file=osp.join(root, 'list.txt'),
                       data_prefix=dict(video=root))
    return DATASETS.build(dataset_cfg)


@pytest.mark.parametrize('name,test_views', [('vmae_vitb_ssv2_ft.py', 6),
                                             ('vmae_vitb_k400_ft.py', 15)])
def test_ft_config_inputs(one_video, name, test_views):
    cfg = Config.fromfile(osp.join(CONFIGS, name))
    np.random.seed(0)
    train = build(cfg, 'train', one_video)
    item = train[0]
    assert item['inputs'].shape == (1, 3, 16, 224, 224)
    assert item['inputs'].dtype == torch.uint8
    assert int(item['data_samples'].gt_label) == 3

    # looked up as the runner does, in mmengine's root registry
    collate = FUNCTIONS.get(cfg.train_dataloader.collate_fn.type)
    assert collate is multi_sample_collate
    batch = collate([item, train[0]])
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    data = preprocessor(batch, training=True)
    assert data['inputs'].shape == (2, 3, 16, 224, 224)
    targets = torch.stack([s.gt_label for s in data['data_samples']])
    assert targets.shape == (2, cfg.model.cls_head.num_classes)

    val = build(cfg, 'val', one_video)[0]
    assert val['inputs'].shape == (1, 3, 16, 224, 224)
    test = build(cfg, 'test', one_video)[0]
    assert test['inputs'].shape == (test_views, 3, 16, 224, 224)
    assert test['data_samples'].num_views == test_views
    views = preprocessor(dict(inputs=[test['inputs']],
                              data_samples=[test['data_samples']]))
    assert views['inputs'].shape == (1, test_views, 3, 16, 224, 224)


def test_ssv2_test_views_are_two_clips_by_three_crops(one_video):
    cfg = Config.fromfile(osp.join(CONFIGS, 'vmae_vitb_ssv2_ft.py'))
    sample = build(cfg, 'test', one_video)[0]['data_samples']
    # 80 frames in 16 segments of 5: starts, then centres (VideoMAE's test)
    inds = sample.frame_inds.reshape(2, 16)
    assert inds[0].tolist() == list(range(0, 80, 5))
    assert inds[1].tolist() == list(range(2, 80, 5))
    assert sample.img_shape == (224, 224)


@pytest.mark.parametrize('name,interval', [('ucf101_ft.py', 4),
                                           ('hmdb51_ft.py', 2)])
def test_small_dataset_configs_sample_twice_per_video(one_video, name,
                                                      interval):
    cfg = Config.fromfile(osp.join(CONFIGS, '_base_', 'datasets', name))
    assert cfg.train_dataloader.dataset.pipeline[1].frame_interval == interval
    samples = build(cfg, 'train', one_video)[0]
    assert len(samples) == 2
    assert all(s['inputs'].shape == (1, 3, 16, 224, 224) for s in samples)
    assert build(cfg, 'test', one_video)[0]['inputs'].shape[0] == 15


def test_runner_builds_the_repeated_sampling_loader(one_video):
    cfg = Config.fromfile(osp.join(CONFIGS, '_base_', 'datasets',
                                   'ucf101_ft.py'))
    loader_cfg = cfg.train_dataloader.to_dict()
    loader_cfg.update(batch_size=1, num_workers=0, persistent_workers=False,
                      pin_memory=False)
    loader_cfg['dataset'].update(ann_file=osp.join(one_video, 'list.txt'),
                                 data_prefix=dict(video=one_video))
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    batch = next(iter(loader))
    assert len(batch['inputs']) == 2  # 1 video x num_sample 2
    assert [int(s.gt_label) for s in batch['data_samples']] == [3, 3]
