"""Flip: mirrored frames, probability, label map."""
import random

import numpy as np
import pytest

from vmae_mm.registry import TRANSFORMS


def clip():
    return np.random.default_rng(0).integers(0, 256, (3, 8, 10, 3),
                                             dtype=np.uint8)


def test_always_flips_at_ratio_one_and_maps_labels():
    imgs = clip()
    flip = TRANSFORMS.build(dict(type='Flip', flip_ratio=1.0,
                                 flip_label_map={3: 4, 4: 3}))
    out = flip(dict(imgs=imgs, label=3))
    np.testing.assert_array_equal(out['imgs'], imgs[:, :, ::-1])
    assert out['imgs'].flags['C_CONTIGUOUS']
    assert out['label'] == 4 and out['flip'] is True
    assert flip(dict(imgs=imgs, label=7))['label'] == 7  # not in the map


def test_never_flips_at_ratio_zero():
    imgs = clip()
    out = TRANSFORMS.build(dict(type='Flip', flip_ratio=0.0,
                                flip_label_map={3: 4}))(
                                    dict(imgs=imgs, label=3))
    assert out['imgs'] is imgs and out['label'] == 3 and not out['flip']


def test_flips_about_half_the_clips_reproducibly():
    flip = TRANSFORMS.build(dict(type='Flip', flip_ratio=0.5))
    random.seed(0)
    flags = [flip(dict(imgs=clip()))['flip'] for _ in range(400)]
    assert 160 < sum(flags) < 240
    random.seed(0)
    assert flags == [flip(dict(imgs=clip()))['flip'] for _ in range(400)]


def test_bad_ratio_is_refused():
    with pytest.raises(ValueError, match='flip_ratio'):
        TRANSFORMS.build(dict(type='Flip', flip_ratio=1.5))
