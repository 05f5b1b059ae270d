"""The demo's second half at test size: finetune the synthetic config from
a pretraining checkpoint with tools/train.py, then tools/test.py with
--dump (per-video scores) and the progress bar."""
import glob
import json
import math
import os.path as osp
import pickle

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.conftest import REPO_ROOT, TINY_PRETRAIN_CONFIG, run_tool
from vmae_mm.registry import MODELS

TINY_FT_CONFIG = osp.join(REPO_ROOT, 'tests', 'data', 'tiny_synthetic_ft.py')


def data_roots(root: str):
    return [f'{split}_dataloader.dataset.data_root={root}'
            for split in ('train', 'val', 'test')]


@pytest.fixture(scope='module')
def pretrained(tmp_path_factory) -> str:
    """A pretraining checkpoint of the tiny test encoder, with weights far
    from any initialization (so loading it is visible)."""
    init_default_scope('vmae_mm')
    model = MODELS.build(Config.fromfile(TINY_PRETRAIN_CONFIG).model)
    torch.manual_seed(0)
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn_like(param) * 0.02 + 0.5)
    path = str(tmp_path_factory.mktemp('pretrain') / 'epoch_1.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), path)
    return path


@pytest.fixture(scope='module')
def finetuned(synthetic_root, pretrained, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('ft'))
    result = run_tool([
        'tools/train.py', TINY_FT_CONFIG, '--work-dir', work_dir,
        '--cfg-options', *data_roots(synthetic_root),
        f'model.backbone.init_cfg.checkpoint={pretrained}'
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    return work_dir, result.stdout + result.stderr


def test_finetuning_loads_the_encoder_and_keeps_the_best(finetuned):
    work_dir, output = finetuned
    # the encoder came from the pretraining checkpoint: every backbone
    # tensor except the fresh fc_norm (2 blocks x 13 + patch_embed 2)
    assert 'loaded 28 tensors into VisionTransformer3D' in output
    assert 'param group: layer  3' in output  # head: depth + 1
    assert 'acc/top1' in output
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
    assert len(glob.glob(osp.join(work_dir, 'best_acc_top1_epoch_*.pth'))) \
        == 1


def test_cosine_ends_at_max_epochs(finetuned):
    """The schedule base leaves the cosine's end to mmengine (max_epochs):
    2 epochs of 5 iterations, warm-up over the first, cosine over the
    second, every layer's lr following the same curve."""
    work_dir, _ = finetuned
    (scalars, ) = glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json'))
    lrs = [json.loads(line)['lr'] for line in open(scalars)
           if '"lr"' in line]
    assert len(lrs) == 10
    peak = max(lrs)
    assert lrs.index(peak) == 4  # the last warm-up iteration
    ratio, t_max = 1e-3, 5  # tiny_synthetic_ft.py: eta_min_ratio, iters
    for i in range(5, 10):
        expected = ratio + (1 - ratio) * (1 + math.cos(
            math.pi * (i - 5) / t_max)) / 2
        assert lrs[i] / peak == pytest.approx(expected, rel=1e-6), i


def test_test_dumps_per_video_scores_with_a_progress_bar(
        finetuned, synthetic_root, tmp_path):
    work_dir, _ = finetuned
    dump = str(tmp_path / 'scores.pkl')
    result = run_tool([
        'tools/test.py', TINY_FT_CONFIG, osp.join(work_dir, 'epoch_2.pth'),
        '--work-dir', str(tmp_path / 'test'), '--dump', dump,
        '--cfg-options', *data_roots(synthetic_root)
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    assert '10/10' in result.stdout  # EvalProgressBarHook, 10 val videos
    with open(dump, 'rb') as f:
        samples = pickle.load(f)
    with open(osp.join(synthetic_root, 'val.txt')) as f:
        listed = {line.split()[0]: int(line.split()[1]) for line in f}
    assert len(samples) == 10
    hits = 0
    for sample in samples:
        score = sample['pred_score']
        assert score.shape == (10, )
        assert torch.isclose(score.sum(), torch.tensor(1.0), atol=1e-5)
        name = osp.relpath(sample['filename'], synthetic_root)
        assert int(sample['gt_label'][0]) == listed[name]
        assert sample['num_views'] == 2  # 2 clips x 1 crop
        hits += int(score.argmax()) == listed[name]
    top1 = [line for line in result.stdout.splitlines()
            if 'acc/top1:' in line]
    assert top1, result.stdout[-2000:]
    reported = float(top1[-1].split('acc/top1:')[1].split()[0])
    assert reported == pytest.approx(hits * 10.0, abs=1e-3)
