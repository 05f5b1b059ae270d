"""FlopsCounterHook in a real (tiny) mmengine training run on the CPU."""
import glob
import json
import os.path as osp

import pytest
from mmengine.runner import Runner

from vmae_mm.analysis import FLOP_UNIT, count_flops, format_giga
from vmae_mm.engine.hooks import FlopsCounterHook
from vmae_mm.engine.hooks.flops_hook import bf16_peak_tflops
from vmae_mm.registry import HOOKS, MODELS

from .tiny_training import random_clips, train_tiny

TINY_VIDEOMAE = dict(
    type='VideoMAE',
    backbone=dict(type='VisionTransformer3D',
                  arch=dict(embed_dims=32, num_layers=1, num_heads=2,
                            mlp_dims=64),
                  img_size=32, num_frames=4),
    neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
              num_layers=1, num_heads=2),
    head=dict(type='VideoMAEPretrainHead'),
    mask_generator=dict(type='TubeMasking', mask_ratio=0.5))


def clips(num: int = 8):
    """Random uint8 clips, one view each: ``(1, 3, 4, 32, 32)``."""
    return random_clips(num, (3, 4, 32, 32))


def train(work_dir: str, hook: dict, max_iters: int = 4) -> Runner:
    return train_tiny(work_dir, 'flops_hook', TINY_VIDEOMAE, [hook], clips(),
                      batch_size=2,
                      train_cfg=dict(by_epoch=False, max_iters=max_iters))


def read_log(work_dir: str) -> str:
    (path, ) = glob.glob(osp.join(work_dir, '*', '*.log'))
    with open(path) as f:
        return f.read()


def test_registered():
    assert HOOKS.get('FlopsCounterHook') is FlopsCounterHook
    assert FlopsCounterHook.priority == 'NORMAL'


def test_hook_counts_logs_and_writes_json(tmp_path):
    runner = train(str(tmp_path), dict(type='FlopsCounterHook', interval=2))
    expected = count_flops(MODELS.build(TINY_VIDEOMAE), (1, 3, 4, 32, 32))

    with open(tmp_path / 'flops.json') as f:
        info = json.load(f)
    assert info['unit'] == FLOP_UNIT
    assert info['mode'] == 'pretrain'
    assert info['input_shape'] == [1, 3, 4, 32, 32]
    assert info['flops_per_sample'] == expected.per_sample > 0
    assert info['train_step_flops_per_sample'] == 3 * expected.per_sample
    assert info['split'] == expected.split
    assert info['tokens'] == dict(total=8, encoder=4, decoder=8, predicted=4)

    hub = runner.message_hub
    assert hub.get_info('flops_per_sample') == expected.per_sample
    assert hub.get_info('train_step_flops_per_sample') == (
        3 * expected.per_sample)

    log = read_log(str(tmp_path))
    giga = format_giga(expected.per_sample)
    assert giga != '0.00 G'
    assert f'FLOPs per clip: {giga} ({FLOP_UNIT})' in log
    # Every 2 of 4 iterations, global clips/s = 2 clips x 1 rank / time.
    assert log.count('Throughput: ') == 2
    assert '1 x 2 clips per' in log
    assert 'MFU' not in log  # CPU: no peak to compare against
    clips_per_s = hub.get_scalar('train/clips_per_s').current()
    iter_time = hub.get_scalar('train/time').mean(2)
    assert clips_per_s == pytest.approx(2 / iter_time)
    # Counting in eval mode left training mode on.
    assert runner.model.training


def test_mfu_against_given_peak(tmp_path):
    runner = train(str(tmp_path),
                   dict(type='FlopsCounterHook', interval=1,
                        peak_tflops=1e-6), max_iters=2)
    hub = runner.message_hub
    clips_per_s = hub.get_scalar('train/clips_per_s').current()
    train_step = hub.get_info('train_step_flops_per_sample')
    # Hardware FLOPs = 2 x multiply-adds; peak in TFLOP/s per card.
    expected = clips_per_s * train_step * 2 / 1e12 / 1e-6
    assert hub.get_scalar('train/mfu').current() == pytest.approx(expected)
    assert 'MFU' in read_log(str(tmp_path))


@pytest.mark.parametrize('name, peak', [
    ('NVIDIA H100 80GB HBM3', 989.0),
    ('NVIDIA H100 PCIe', 756.0),
    ('NVIDIA H200', 989.0),
    ('NVIDIA A100-SXM4-80GB', 312.0),
    ('Tesla T4', None),
])
def test_bf16_peak_table(name, peak):
    assert bf16_peak_tflops(name) == peak


def test_bad_interval():
    with pytest.raises(ValueError, match='interval'):
        FlopsCounterHook(interval=0)


def test_counts_the_clips_a_device_side_crop_makes(tmp_path):
    # Loaded videos are 40x48; the data preprocessor cuts 3 clips of 32x32
    # from each: FLOPs are those of a 32x32 clip, throughput counts 3 x 2.
    model = dict(TINY_VIDEOMAE, data_preprocessor=dict(
        type='VideoDataPreprocessor',
        augment=dict(type='BatchMultiScaleCrop', input_size=32,
                     num_samples=3)))
    train_tiny(str(tmp_path), 'flops_hook_crop', model,
               [dict(type='FlopsCounterHook', interval=2)],
               random_clips(8, (3, 4, 40, 48)), batch_size=2,
               train_cfg=dict(by_epoch=False, max_iters=4))
    expected = count_flops(MODELS.build(TINY_VIDEOMAE), (1, 3, 4, 32, 32))
    with open(tmp_path / 'flops.json') as f:
        info = json.load(f)
    assert info['input_shape'] == [1, 3, 4, 32, 32]
    assert info['flops_per_sample'] == expected.per_sample
    assert '(1 x 6 clips per' in read_log(str(tmp_path))
