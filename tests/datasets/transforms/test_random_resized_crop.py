"""RandomResizedCrop: area and aspect ranges, one box for the whole clip."""
import math
import random

import numpy as np
import pytest

from vmae_mm.datasets.transforms.random_resized_crop import \
    sample_resized_crop_box
from vmae_mm.registry import TRANSFORMS


def clip(num=4, height=60, width=80):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (num, height, width, 3), dtype=np.uint8)


def test_boxes_respect_area_and_aspect_ranges():
    random.seed(0)
    areas, ratios = [], []
    for _ in range(2000):
        x1, y1, x2, y2 = sample_resized_crop_box(240, 320, (0.08, 1.0),
                                                 (3 / 4, 4 / 3))
        assert 0 <= x1 < x2 <= 320 and 0 <= y1 < y2 <= 240
        w, h = x2 - x1, y2 - y1
        areas.append(w * h / (240 * 320))
        ratios.append(w / h)
    areas, ratios = np.array(areas), np.array(ratios)
    assert areas.min() > 0.07 and areas.max() <= 1.0
    # rounding of the sides moves ratios of small boxes slightly
    assert ratios.min() > 0.7 and ratios.max() < 1.4
    assert areas.min() < 0.12 and areas.max() > 0.9  # the range is used
    # log-uniform aspect: about half below 1
    assert 0.35 < np.mean(np.log(ratios) < 0) < 0.65


def test_fallback_is_the_largest_centred_box_in_range():
    random.seed(0)
    # a 10:1 strip: no box of aspect <= 4/3 fits at a large area
    box = sample_resized_crop_box(10, 100, (0.9, 1.0), (3 / 4, 4 / 3),
                                  max_attempts=10)
    assert box == (43, 0, 56, 10)
    assert math.isclose((box[2] - box[0]) / 10, 1.3)


def test_crops_every_frame_with_one_box():
    random.seed(1)
    frames = clip()
    out = TRANSFORMS.build(dict(type='RandomResizedCrop'))(
        dict(imgs=frames))
    x1, y1, x2, y2 = out['crop_bbox']
    assert out['imgs'].shape == (4, y2 - y1, x2 - x1, 3)
    assert out['img_shape'] == (y2 - y1, x2 - x1)
    np.testing.assert_array_equal(out['imgs'], frames[:, y1:y2, x1:x2])


def test_deterministic_under_a_seed():
    transform = TRANSFORMS.build(dict(type='RandomResizedCrop'))
    random.seed(5)
    a = transform(dict(imgs=clip()))['crop_bbox']
    random.seed(5)
    np.testing.assert_array_equal(a, transform(dict(imgs=clip()))['crop_bbox'])


def test_bad_ranges_are_refused():
    with pytest.raises(ValueError, match='area_range'):
        TRANSFORMS.build(dict(type='RandomResizedCrop', area_range=(0, 1)))
