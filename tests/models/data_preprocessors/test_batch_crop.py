"""Multi-scale crop and resize on the device: the CPU transforms' boxes and
pixels, several clips per video, padded batches."""
import random

import cv2
import numpy as np
import pytest
import torch

from vmae_mm.datasets.transforms import MultiScaleCrop
from vmae_mm.models.data_preprocessors import (BatchMultiScaleCrop,
                                               VideoDataPreprocessor)
from vmae_mm.structures import ActionDataSample


def random_clip(rng, frames=3, height=40, width=56):
    """uint8 ``(C, T, H, W)`` noise with some structure."""
    clip = rng.integers(0, 256, size=(3, frames, height, width))
    return torch.from_numpy(clip.astype(np.uint8))


def cv2_crop_resize(clip, box, size):
    """The CPU path: crop, then cv2.resize per frame, ``(C, T, h, w)``."""
    x1, y1, x2, y2 = box
    frames = clip.permute(1, 2, 3, 0).numpy()[:, y1:y2, x1:x2]
    return torch.from_numpy(np.stack([
        cv2.resize(frame, size, interpolation=cv2.INTER_LINEAR)
        for frame in frames
    ])).permute(3, 0, 1, 2)


@pytest.mark.parametrize('box', [(0, 0, 40, 40), (8, 4, 43, 39),
                                 (16, 14, 42, 40), (3, 0, 56, 40)])
@pytest.mark.parametrize('size', [(32, 32), (24, 30), (48, 44)])
def test_resize_matches_opencv_within_one_level(box, size):
    clip = random_clip(np.random.default_rng(0))
    crop = BatchMultiScaleCrop(input_size=size)
    out = crop.crop_resize(clip[None], torch.tensor([[box]]),
                           torch.tensor([[False]]))
    expected = cv2_crop_resize(clip, box, size).float()
    assert out.shape == (1, 3, 3, size[1], size[0])
    assert (out[0] - expected).abs().max() <= 1.0


def test_flip_mirrors_the_resized_crop():
    clip = random_clip(np.random.default_rng(1))
    crop = BatchMultiScaleCrop(input_size=24)
    boxes = torch.tensor([[(4, 2, 36, 34), (4, 2, 36, 34)]])
    out = crop.crop_resize(clip[None], boxes, torch.tensor([[False, True]]))
    torch.testing.assert_close(out[1], out[0].flip(-1))


def test_boxes_follow_the_cpu_transform():
    # Same seed, same rule: the CPU transform's crop box and ours agree.
    cpu = MultiScaleCrop(input_size=32, scales=(1, .875, .75, .66))
    ours = BatchMultiScaleCrop(input_size=32, scales=(1, .875, .75, .66))
    frames = np.zeros((2, 45, 60, 3), np.uint8)
    for seed in range(40):
        random.seed(seed)
        expected = tuple(cpu(dict(imgs=frames.copy()))['crop_bbox'])
        random.seed(seed)
        assert ours.sample_box(45, 60) == expected


def test_padded_clips_keep_their_own_boxes():
    crop = BatchMultiScaleCrop(input_size=16, random_crop=True,
                               num_samples=3)
    random.seed(0)
    for _ in range(50):
        x1, y1, x2, y2 = crop.sample_box(20, 30)
        assert 0 <= x1 < x2 <= 30 and 0 <= y1 < y2 <= 20
        # 20 * (1, .875, .75, .66), sides within 3 pixels of 16 snapped
        assert x2 - x1 in (20, 16, 13) and y2 - y1 in (20, 16, 13)


def test_preprocessor_makes_samples_per_video_from_mixed_sizes():
    rng = np.random.default_rng(2)
    preprocessor = VideoDataPreprocessor(augment=dict(
        type='BatchMultiScaleCrop', input_size=16, num_samples=3))
    # two videos of different sizes, one view each, as the pipeline packs
    inputs = [random_clip(rng, 4, 20, 30)[None],
              random_clip(rng, 4, 24, 18)[None]]
    samples = [ActionDataSample().set_gt_label(label) for label in (3, 7)]
    out = preprocessor(dict(inputs=inputs, data_samples=samples),
                       training=True)
    assert out['inputs'].shape == (6, 3, 4, 16, 16)
    assert [int(s.gt_label) for s in out['data_samples']] == [3] * 3 + [7] * 3
    # the three samples of a video are different crops of it
    assert not torch.equal(out['inputs'][0], out['inputs'][1]) or \
        not torch.equal(out['inputs'][1], out['inputs'][2])
    # evaluation leaves the clips alone (the val pipeline crops them)
    same = [random_clip(rng, 4, 16, 16)[None] for _ in range(2)]
    out = preprocessor(dict(inputs=same, data_samples=samples[:2]),
                       training=False)
    assert out['inputs'].shape == (2, 3, 4, 16, 16)


def test_preprocessor_crops_match_the_cpu_pipeline_after_normalization():
    rng = np.random.default_rng(3)
    clip = random_clip(rng, 2, 30, 40)
    preprocessor = VideoDataPreprocessor(augment=dict(
        type='BatchMultiScaleCrop', input_size=20))
    random.seed(5)
    box = preprocessor.augment.sample_box(30, 40)
    random.seed(5)
    out = preprocessor(dict(inputs=clip[None, None]), training=True)
    expected = VideoDataPreprocessor()(
        dict(inputs=cv2_crop_resize(clip, box, (20, 20))[None, None]))
    assert (out['inputs'] - expected['inputs']).abs().max() <= 1 / 57.1


def test_several_views_are_refused():
    preprocessor = VideoDataPreprocessor(
        augment=dict(type='BatchMultiScaleCrop', input_size=16))
    clips = torch.zeros(2, 2, 3, 2, 20, 20, dtype=torch.uint8)
    with pytest.raises(ValueError, match='one view per video'):
        preprocessor(dict(inputs=clips), training=True)
