"""ThreeCrop: three crops along the long side, views multiply."""
import numpy as np
import pytest

from vmae_mm.registry import TRANSFORMS


def frames(num, height, width):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (num, height, width, 3), dtype=np.uint8)


def test_landscape_crops_left_centre_right():
    imgs = frames(6, 32, 57)
    out = TRANSFORMS.build(dict(type='ThreeCrop', crop_size=32))(
        dict(imgs=imgs))
    assert out['imgs'].shape == (18, 32, 32, 3)
    # VideoMAE: crop k starts at int(k * (57 - 32) / 2) = 0, 12, 25
    assert out['crop_bbox'].tolist() == [[0, 0, 32, 32], [12, 0, 44, 32],
                                         [25, 0, 57, 32]]
    for k, x1 in enumerate((0, 12, 25)):
        np.testing.assert_array_equal(out['imgs'][6 * k:6 * (k + 1)],
                                      imgs[:, :, x1:x1 + 32])


def test_portrait_crops_top_centre_bottom():
    imgs = frames(2, 50, 30)
    out = TRANSFORMS.build(dict(type='ThreeCrop', crop_size=30))(
        dict(imgs=imgs))
    assert out['crop_bbox'][:, 1].tolist() == [0, 10, 20]
    assert out['img_shape'] == (30, 30)


def test_three_crops_make_three_times_the_views():
    out = TRANSFORMS.build(dict(type='ThreeCrop', crop_size=16))(
        dict(imgs=frames(2 * 4, 16, 24)))
    out['clip_len'] = 4
    out = TRANSFORMS.build(dict(type='FormatShape'))(out)
    assert out['imgs'].shape == (6, 3, 4, 16, 16)  # 2 clips x 3 crops


def test_crop_larger_than_frames_is_refused():
    with pytest.raises(ValueError, match='resize the short side'):
        TRANSFORMS.build(dict(type='ThreeCrop', crop_size=40))(
            dict(imgs=frames(1, 32, 64)))
