"""LinearProbeHook: the ridge probe's maths, and the hook in a real (tiny)
mmengine training run: it logs an accuracy and changes nothing else."""
import json
import random

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from vmae_mm.engine.hooks import LinearProbeHook
from vmae_mm.engine.hooks.linear_probe_hook import (fit_ridge_probe,
                                                    ridge_fits)
from vmae_mm.registry import HOOKS, MODELS

from .tiny_training import random_clips, train_losses, train_tiny

# Random masking and stochastic depth: a hook that touched the random stream
# or left the model in eval mode would change the losses.
TINY_VIDEOMAE = dict(
    type='VideoMAE',
    backbone=dict(type='VisionTransformer3D',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                            mlp_dims=64),
                  img_size=32, num_frames=16, drop_path_rate=0.3),
    neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
              num_layers=1, num_heads=2),
    head=dict(type='VideoMAEPretrainHead'),
    mask_generator=dict(type='RandomMasking', mask_ratio=0.75))


def probe_pipeline(test_mode: bool = True):
    crop = (dict(type='CenterCrop', crop_size=32) if test_mode else
            dict(type='MultiScaleCrop', input_size=32,
                 scales=(1, .875, .75)))
    return [
        dict(type='DecordInit', num_threads=1),
        dict(type='SampleFrames', clip_len=16, frame_interval=2,
             num_clips=1, test_mode=test_mode),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(-1, 32)),
        crop,
        dict(type='Resize', scale=(32, 32), keep_ratio=False),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackInputs'),
    ]


def probe_cfg(root: str, interval: int = 1, test_mode: bool = True):
    split = dict(type='SyntheticVideoDataset', data_root=root,
                 pipeline=probe_pipeline(test_mode), test_mode=True,
                 num_train=20, num_val=10, num_frames=40, size=64)
    return dict(type='LinearProbeHook', interval=interval, num_classes=10,
                max_train=16,
                datasets=dict(train=dict(split, split='train'),
                              val=dict(split, split='val')))


def train(work_dir: str, hooks, max_epochs: int = 2) -> Runner:
    return train_tiny(work_dir, 'probe_hook', TINY_VIDEOMAE, hooks,
                      random_clips(8, (3, 16, 32, 32)), batch_size=4,
                      train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
                      seed=0)


losses = train_losses


def test_registered():
    assert HOOKS.get('LinearProbeHook') is LinearProbeHook


def test_ridge_probe_separates_separable_classes():
    generator = torch.Generator().manual_seed(0)
    centres = torch.randn(4, 24, generator=generator) * 3
    labels = torch.arange(4).repeat(30)  # (120,)
    feats = centres[labels] + torch.randn(120, 24, generator=generator)
    feats = feats * 50 + 7  # raw scale and offset: standardized inside
    weight, bias, ridge = fit_ridge_probe(feats[:80], labels[:80], 4)
    assert weight.shape == (24, 4) and bias.shape == (4, )
    pred = (feats[80:].double() @ weight + bias).argmax(1)
    assert (pred == labels[80:]).all()
    again = fit_ridge_probe(feats[:80], labels[:80], 4)
    assert torch.equal(again[0], weight) and again[2] == ridge


def test_leave_one_out_scores_are_refits_without_the_sample():
    """The hat-matrix shortcut against N explicit refits (same fixed
    standardization, unpenalized intercept, slopes penalized by ridge*N)."""
    generator = torch.Generator().manual_seed(1)
    n, d, k = 12, 5, 3
    feats = torch.randn(n, d, generator=generator, dtype=torch.float64)
    labels = torch.arange(k).repeat(n // k)
    ridge = 0.1
    (_, weight, bias, loo), = ridge_fits(feats, labels, k, [ridge])
    xs = (feats - feats.mean(0)) / feats.std(0)
    targets = torch.nn.functional.one_hot(labels, k).double()
    design = torch.cat([torch.ones(n, 1, dtype=torch.float64), xs], 1)
    penalty = torch.diag(torch.tensor([0.0] + [ridge * n] * d,
                                      dtype=torch.float64))
    for i in range(n):
        keep = torch.arange(n) != i
        a, y = design[keep], targets[keep]
        coef = torch.linalg.solve(a.T @ a + penalty, a.T @ y)  # (1+D, K)
        assert torch.allclose(loo[i], design[i] @ coef, atol=1e-10), i
    # the full fit, through the raw-feature weights
    coef = torch.linalg.solve(design.T @ design + penalty, design.T @ targets)
    assert torch.allclose(feats @ weight + bias, design @ coef, atol=1e-10)


def test_probe_leaves_modes_and_random_state_alone(synthetic_root):
    init_default_scope('vmae_mm')
    model = MODELS.build(TINY_VIDEOMAE)
    model.train()
    model.neck.eval()  # a mixed state must come back as it was
    modes = {name: m.training for name, m in model.named_modules()}
    # training-mode crops draw random numbers while the clips are decoded
    hook = HOOKS.build(probe_cfg(synthetic_root, test_mode=False))
    random.seed(3)
    np.random.seed(3)
    torch.manual_seed(3)
    result = hook.probe(model)
    after = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(3)
    np.random.seed(3)
    torch.manual_seed(3)
    assert after == (random.random(), np.random.rand(), torch.rand(1).item())
    assert {n: m.training for n, m in model.named_modules()} == modes
    assert 0 <= result['top1'] <= 100 and 0 <= result['train_top1'] <= 100


def test_bad_dataset_config_fails_when_the_hook_is_made():
    with pytest.raises(KeyError, match="'train' and 'val'"):
        LinearProbeHook(datasets=dict(train=dict(type='VideoDataset')),
                        num_classes=3)
    with pytest.raises(KeyError, match='SyntheticVideoDatset'):
        LinearProbeHook(datasets=dict(
            train=dict(type='SyntheticVideoDatset'),
            val=dict(type='VideoDataset')), num_classes=3)


def test_logs_accuracy_and_training_is_unchanged(synthetic_root, tmp_path):
    plain = train(str(tmp_path / 'plain'), [])
    probed = train(str(tmp_path / 'probed'), [probe_cfg(synthetic_root)])
    assert len(losses(plain)) == 4
    assert losses(probed) == losses(plain)  # bit for bit
    for name, param in plain.model.state_dict().items():
        assert torch.equal(param, probed.model.state_dict()[name]), name
    top1 = probed.message_hub.get_scalar('probe/top1').data[0]
    assert len(top1) == 2  # after epochs 1 and 2
    assert all(0 <= acc <= 100 for acc in top1)
    # 10 held-out clips: every accuracy is a multiple of 10%
    assert all(abs(acc / 10 - round(acc / 10)) < 1e-9 for acc in top1)
    scalars = [json.loads(line) for line in open(
        f'{probed.log_dir}/vis_data/scalars.json')]
    probes = [s for s in scalars if 'probe/top1' in s]
    assert [s['step'] for s in probes] == [1, 2]
