"""ReconstructionVisualizationHook in a real (tiny) mmengine training run."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.runner import Runner

from vmae_mm.engine.hooks import ReconstructionVisualizationHook
from vmae_mm.registry import HOOKS
from vmae_mm.visualization import GridLayout

from .tiny_training import random_clips, train_losses, train_tiny

# Random masking and stochastic depth: a hook that touched the random stream
# or left the model in eval mode would change the losses.
TINY_VIDEOMAE = dict(
    type='VideoMAE',
    backbone=dict(type='VisionTransformer3D',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                            mlp_dims=64),
                  img_size=32, num_frames=4, drop_path_rate=0.3),
    neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
              num_layers=1, num_heads=2),
    head=dict(type='VideoMAEPretrainHead'),
    mask_generator=dict(type='RandomMasking', mask_ratio=0.5))


def clips(num: int = 12):
    """uint8 clips, one view each: ``(1, 3, 4, 32, 32)``."""
    return random_clips(num, (3, 4, 32, 32))


def train(work_dir: str, hooks, model: dict = TINY_VIDEOMAE,
          max_iters: int = 6) -> Runner:
    return train_tiny(work_dir, 'reconstruction_hook', model, hooks, clips(),
                      batch_size=2,
                      train_cfg=dict(by_epoch=False, max_iters=max_iters),
                      seed=0)


losses = train_losses


def test_registered():
    assert HOOKS.get('ReconstructionVisualizationHook') is \
        ReconstructionVisualizationHook


def test_pictures_every_n_iterations_and_identical_training(tmp_path):
    plain = train(str(tmp_path / 'plain'), [])
    hooked = train(str(tmp_path / 'hooked'), [
        dict(type='ReconstructionVisualizationHook', interval=2)])
    assert len(losses(plain)) == 6
    assert losses(hooked) == losses(plain)  # bit for bit
    for name, param in plain.model.state_dict().items():
        assert torch.equal(param, hooked.model.state_dict()[name]), name

    pictures = sorted(glob.glob(str(tmp_path / 'hooked' / 'vis' / '*.png')))
    assert [osp.basename(p) for p in pictures] == [
        'iter_000002.png', 'iter_000004.png', 'iter_000006.png']
    layout = GridLayout(3, 4, 32 * 5, 32 * 5, tubelet_size=2)
    image = cv2.cvtColor(cv2.imread(pictures[-1]), cv2.COLOR_BGR2RGB)
    assert image.shape == layout.shape
    # The first row is the first clip of the iteration's batch (iteration 6
    # reads clips 10 and 11), scaled 5x with nearest-neighbour.
    clip = clips()[10]['inputs'][0].permute(1, 2, 3, 0).numpy()
    for f in range(4):
        y0, x0, y1, x1 = layout.tile_box(0, f)
        np.testing.assert_array_equal(image[y0:y1, x0:x1],
                                      clip[f].repeat(5, 0).repeat(5, 1))
    # The same picture went to the visualizer (LocalVisBackend writes it).
    logged = glob.glob(str(tmp_path / 'hooked' / '*' / 'vis_data' /
                           'vis_image' / 'reconstruction_6.png'))
    assert len(logged) == 1
    np.testing.assert_array_equal(
        cv2.cvtColor(cv2.imread(logged[0]), cv2.COLOR_BGR2RGB), image)
    assert plain.model.training and hooked.model.training


def test_fixed_clip_and_fixed_mask_show_training_progress(tmp_path):
    train(str(tmp_path), [dict(type='ReconstructionVisualizationHook',
                               interval=3, fixed_clip=True, out_dir='pics')])
    first, last = [cv2.imread(str(tmp_path / 'pics' / f'iter_00000{i}.png'))
                   for i in (3, 6)]
    layout = GridLayout(3, 4, 160, 160, tubelet_size=2)

    def row(image, r):
        y0, x0, _, x1 = layout.tile_box(r, 0)
        return image[y0:y0 + 160, x0:layout.tile_box(r, 3)[3]]

    # Same clip (the first of the first batch), same mask; only the
    # reconstruction moved with training.
    clip0 = clips()[0]['inputs'][0].permute(1, 2, 3, 0).numpy()
    np.testing.assert_array_equal(
        cv2.cvtColor(row(first, 0), cv2.COLOR_BGR2RGB)[:, :160],
        clip0[0].repeat(5, 0).repeat(5, 1))
    np.testing.assert_array_equal(row(first, 0), row(last, 0))
    np.testing.assert_array_equal(row(first, 1), row(last, 1))
    assert not np.array_equal(row(first, 2), row(last, 2))


def test_a_model_without_reconstructions_fails_before_training(tmp_path):
    recognizer = dict(
        type='Recognizer',
        backbone=dict(type='VisionTransformer3D',
                      arch=dict(embed_dims=32, num_layers=1, num_heads=2,
                                mlp_dims=64),
                      img_size=32, num_frames=4, out_type='avg_featmap'),
        cls_head=dict(type='VideoMAEClsHead', num_classes=2, in_channels=32))
    with pytest.raises(ValueError, match='cannot show reconstructions'):
        train(str(tmp_path), [dict(type='ReconstructionVisualizationHook')],
              model=recognizer)


def test_interval_must_be_positive():
    with pytest.raises(ValueError, match='interval must be positive'):
        ReconstructionVisualizationHook(interval=0)
