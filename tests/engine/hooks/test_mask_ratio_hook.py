"""MaskRatioSchedulerHook in a real (tiny) mmengine training run."""

import pytest
from mmengine.runner import Runner

from vmae_mm.engine.hooks import MaskRatioSchedulerHook
from vmae_mm.registry import HOOKS

from .tiny_training import random_clips, train_tiny

TINY_VIDEOMAE = dict(
    type='VideoMAE',
    backbone=dict(type='VisionTransformer3D',
                  arch=dict(embed_dims=32, num_layers=1, num_heads=2,
                            mlp_dims=64),
                  img_size=64, num_frames=4),
    neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
              num_layers=1, num_heads=2),
    head=dict(type='VideoMAEPretrainHead'),
    mask_generator=dict(type='RandomMasking', mask_ratio=0.5))


def clips(num: int = 10):
    """Random uint8 clips, one view each: ``(1, 3, 4, 64, 64)``, a
    ``(2, 4, 4)`` token grid."""
    return random_clips(num, (3, 4, 64, 64))


def train(work_dir: str, hook: dict, model: dict = TINY_VIDEOMAE,
          max_iters: int = 5) -> Runner:
    return train_tiny(work_dir, 'mask_ratio_hook', model, [hook], clips(),
                      batch_size=2,
                      train_cfg=dict(by_epoch=False, max_iters=max_iters))


def test_registered():
    assert HOOKS.get('MaskRatioSchedulerHook') is MaskRatioSchedulerHook


def test_ratio_ramps_linearly_over_training(tmp_path):
    runner = train(str(tmp_path),
                   dict(type='MaskRatioSchedulerHook', start=0.5, end=0.9))
    history = runner.message_hub.get_scalar('train/mask_ratio').data[0]
    assert history.tolist() == pytest.approx([0.5, 0.6, 0.7, 0.8, 0.9])
    generator = runner.model.mask_generator
    assert generator.mask_ratio == pytest.approx(0.9)
    # The generator masks at the scheduled ratio: 28 of 32 tokens at 0.9.
    assert generator(2, (2, 4, 4)).sum(dim=1).tolist() == [28, 28]


def test_ramp_iters_then_constant_and_decoder_generator(tmp_path):
    model = dict(TINY_VIDEOMAE,
                 decoder_mask_generator=dict(type='RunningCellMasking',
                                             mask_ratio=0.25))
    runner = train(str(tmp_path),
                   dict(type='MaskRatioSchedulerHook', start=0.25, end=0.75,
                        ramp_iters=2, generator='decoder_mask_generator'),
                   model=model)
    history = runner.message_hub.get_scalar('train/mask_ratio').data[0]
    assert history.tolist() == pytest.approx([0.25, 0.5, 0.75, 0.75, 0.75])
    assert runner.model.mask_generator.mask_ratio == 0.5  # untouched


def test_ratio_at():
    hook = MaskRatioSchedulerHook(start=0.9, end=0.5, ramp_iters=4)
    assert [hook.ratio_at(i, 100) for i in (0, 2, 4, 8)] == pytest.approx(
        [0.9, 0.7, 0.5, 0.5])
    assert MaskRatioSchedulerHook(0.0, 0.5).ratio_at(1, 2) == 0.5


@pytest.mark.parametrize('kwargs, match', [
    (dict(start=1.0, end=0.5), 'start'),
    (dict(start=0.5, end=-0.1), 'end'),
    (dict(start=0.5, end=0.9, ramp_iters=0), 'ramp_iters'),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MaskRatioSchedulerHook(**kwargs)


def test_missing_generator_fails_before_training(tmp_path):
    with pytest.raises(ValueError, match='decoder_mask_generator'):
        train(str(tmp_path),
              dict(type='MaskRatioSchedulerHook', start=0.5, end=0.9,
                   generator='decoder_mask_generator'))
