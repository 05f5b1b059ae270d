"""RandomErasing: one box through the clip, noise that normalizes to
N(0, 1), the per-clip probability."""
import random

import numpy as np
import pytest

from vmae_mm.registry import TRANSFORMS

MEAN = np.array([123.675, 116.28, 103.53])
STD = np.array([58.395, 57.12, 57.375])


def clip(num=8, size=64):
    return np.zeros((num, size, size, 3), dtype=np.uint8)


def erase(imgs, **kwargs):
    return TRANSFORMS.build(dict(type='RandomErasing', **kwargs))(
        dict(imgs=imgs))


def test_one_box_through_every_frame_with_fresh_noise():
    random.seed(0)
    np.random.seed(0)
    imgs = clip()
    out = erase(imgs, erase_prob=1.0)
    x1, y1, x2, y2 = out['erase_bbox']
    area = (x2 - x1) * (y2 - y1) / 64**2
    assert 0.02 * 0.9 <= area <= 1 / 3 * 1.1
    assert not imgs.any()  # the input is not modified
    erased = out['imgs'][:, y1:y2, x1:x2]
    outside = out['imgs'].copy()
    outside[:, y1:y2, x1:x2] = 0
    assert not outside.any()
    assert not np.array_equal(erased[0], erased[1])  # per-frame noise


def test_noise_normalizes_to_standard_normal():
    random.seed(1)
    np.random.seed(1)
    values = []
    for _ in range(20):
        out = erase(clip(4, 96), erase_prob=1.0)
        x1, y1, x2, y2 = out['erase_bbox']
        values.append(out['imgs'][:, y1:y2, x1:x2].reshape(-1, 3))
    z = (np.concatenate(values) - MEAN) / STD
    assert np.all(np.abs(z.mean(0)) < 0.03)
    # clipping at 0 and 255 trims the tails beyond about 2.1 sigma
    assert np.all((z.std(0) > 0.93) & (z.std(0) < 1.0))
    assert 0.02 < np.mean(np.abs(z) > 2.1) < 0.045


def test_const_mode_fills_the_mean_colour():
    random.seed(2)
    out = erase(clip(), erase_prob=1.0, mode='const')
    x1, y1, x2, y2 = out['erase_bbox']
    np.testing.assert_array_equal(out['imgs'][0, y1, x1], [124, 116, 104])


def test_erases_a_quarter_of_the_clips_reproducibly():
    transform = TRANSFORMS.build(dict(type='RandomErasing'))
    random.seed(3)
    np.random.seed(3)
    boxes = [transform(dict(imgs=clip(2, 32)))['erase_bbox']
             for _ in range(800)]
    assert 0.2 < np.mean([b is not None for b in boxes]) < 0.3
    random.seed(3)
    np.random.seed(3)
    assert boxes == [transform(dict(imgs=clip(2, 32)))['erase_bbox']
                     for _ in range(800)]


def test_bad_mode_is_refused():
    with pytest.raises(ValueError, match="'pixel', 'rand' or 'const'"):
        TRANSFORMS.build(dict(type='RandomErasing', mode='noise'))
