"""The finetuning configs carry the official recipes: every number checked
against the scripts they cite, and the schedule shared through
_base_/schedules/finetune.py."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from vmae_mm.utils import check_config

CONFIG_DIR = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                      'configs')

# name: (classes, epochs, lr per 256 videos, layer decay, drop path,
#        videos per GPU, repeated sampling, head dropout, test views,
#        pretraining checkpoint)
RECIPES = {
    'vmae_vits_ssv2_ft.py': (174, 40, 1e-3, 0.7, 0.1, 12, 2, 0.0, 6,
                             'work_dirs/vmae_vits_ssv2/epoch_800.pth'),
    'vmae_vitb_ssv2_ft.py': (174, 50, 5e-4, 0.75, 0.1, 8, 1, 0.0, 6,
                             'work_dirs/vmae_vitb_ssv2/epoch_800.pth'),
    'vmae_vitl_ssv2_ft.py': (174, 40, 5e-4, 0.75, 0.2, 6, 2, 0.0, 6,
                             'work_dirs/vmae_vitl_ssv2/epoch_800.pth'),
    'vmae_vits_k400_ft.py': (400, 150, 5e-4, 0.75, 0.1, 12, 2, 0.0, 15,
                             'work_dirs/vmae_vits_k400/epoch_800.pth'),
    'vmae_vitb_k400_ft.py': (400, 100, 1e-3, 0.75, 0.1, 8, 1, 0.0, 15,
                             'work_dirs/vmae_vitb_k400/epoch_800.pth'),
    'vmae_vitl_k400_ft.py': (400, 35, 2e-3, 0.75, 0.2, 2, 2, 0.0, 15,
                             'work_dirs/vmae_vitl_k400/epoch_800.pth'),
    'vmae_vitb_ucf101_ft.py': (101, 100, 5e-4, 0.7, 0.2, 16, 2, 0.5, 15,
                               'work_dirs/vmae_vitb_ucf101/epoch_3200.pth'),
    'vmae_vitb_hmdb51_ft.py': (51, 100, 5e-4, 0.7, 0.2, 16, 2, 0.5, 15,
                               'work_dirs/vmae_vitb_hmdb51/epoch_4800.pth'),
}
ARCH = {'s': 'small', 'b': 'base', 'l': 'large'}


def views(pipeline) -> int:
    sampler = next(t for t in pipeline
                   if t['type'] in ('SampleFrames', 'UniformSample'))
    crops = 3 if any(t['type'] == 'ThreeCrop' for t in pipeline) else 1
    return sampler.get('num_clips', 1) * crops


@pytest.mark.parametrize('name', sorted(RECIPES))
def test_recipe(name):
    (classes, epochs, lr, decay, drop_path, per_gpu, num_sample, head_drop,
     test_views, pretrained) = RECIPES[name]
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    check_config(cfg)
    model = cfg.model
    assert model.backbone.arch == ARCH[name[len('vmae_vit')]]
    assert model.backbone.drop_path_rate == drop_path
    assert model.backbone.init_cfg == dict(type='Pretrained',
                                           checkpoint=pretrained,
                                           prefix='backbone.')
    assert model.cls_head.num_classes == classes
    assert model.cls_head.dropout_ratio == head_drop
    assert model.data_preprocessor.blending == dict(
        type='MixupCutmix', num_classes=classes, mixup_alpha=0.8,
        cutmix_alpha=1.0, switch_prob=0.5, label_smoothing=0.1)

    optim = cfg.optim_wrapper
    assert optim.constructor == 'VideoMAEOptimWrapperConstructor'
    assert optim.optimizer == dict(type='AdamW', lr=lr, betas=(0.9, 0.999),
                                   weight_decay=0.05)
    assert optim.paramwise_cfg == dict(layer_decay_rate=decay)
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=256)
    warmup, cosine = cfg.param_scheduler
    assert warmup.type == 'LinearLR' and warmup.end == 5
    assert warmup.start_factor * lr == pytest.approx(1e-6)
    assert warmup.convert_to_iter_based and cosine.convert_to_iter_based
    assert cosine.type == 'CosineAnnealingLR' and cosine.begin == 5
    assert cosine.eta_min_ratio * lr == pytest.approx(1e-6)
    # ends at max_epochs through mmengine's default, so an override of
    # train_cfg.max_epochs moves it too
    assert 'end' not in cosine and 'T_max' not in cosine
    assert cfg.train_cfg.max_epochs == epochs

    loader = cfg.train_dataloader
    assert loader.batch_size == per_gpu
    assert loader.dataset.num_sample == num_sample
    assert views(cfg.test_dataloader.dataset.pipeline) == test_views
    checkpoint = cfg.default_hooks.checkpoint
    assert (checkpoint.save_best, checkpoint.rule) == ('acc/top1', 'greater')
    assert dict(type='EvalProgressBarHook') in cfg.custom_hooks


def test_every_finetuning_config_is_covered():
    names = {osp.basename(p) for p in glob.glob(
        osp.join(CONFIG_DIR, 'vmae_vit[sbl]_*_ft.py'))}
    assert names == set(RECIPES)


def test_synthetic_finetuning_chains_on_the_quick_start():
    quick = Config.fromfile(osp.join(CONFIG_DIR, 'vmae_vitt_synthetic.py'))
    ft = Config.fromfile(osp.join(CONFIG_DIR, 'vmae_vitt_synthetic_ft.py'))
    check_config(ft)
    last = quick.train_cfg.max_epochs
    assert ft.model.backbone.init_cfg.checkpoint == \
        f'work_dirs/vmae_vitt_synthetic/epoch_{last}.pth'
    # the quick start keeps that checkpoint
    assert last % quick.default_hooks.checkpoint.interval == 0
    for key in ('arch', 'img_size', 'num_frames', 'tubelet_size'):
        assert ft.model.backbone[key] == quick.model.backbone[key], key
    assert ft.train_dataloader.dataset.data_root == \
        quick.train_dataloader.dataset.data_root
    assert views(ft.test_dataloader.dataset.pipeline) == 2
    assert not any(t['type'] == 'Flip'
                   for t in ft.train_dataloader.dataset.pipeline)
