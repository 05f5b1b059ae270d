"""Drawing masks over frames: visible pixels untouched, masked ones marked."""
import numpy as np
import pytest
import torch

from vmae_mm.visualization import (draw_mask, fill_masked, mask_to_pixels,
                                   scale_for, upscale)
from vmae_mm.visualization.mask_overlay import MASKED_FILL, patch_outline


def test_mask_to_pixels_covers_each_token_tubelet():
    grid = (2, 3, 4)  # T', H', W'
    mask = torch.zeros(grid, dtype=torch.bool)
    mask[0, 1, 2] = True
    mask[1, 2, 0] = True
    pixels = mask_to_pixels(mask.flatten(), grid, tubelet_size=2,
                            patch_size=5)
    assert pixels.shape == (4, 15, 20) and pixels.dtype == bool
    expected = np.zeros((4, 15, 20), dtype=bool)
    expected[0:2, 5:10, 10:15] = True  # token (0, 1, 2)
    expected[2:4, 10:15, 0:5] = True  # token (1, 2, 0)
    np.testing.assert_array_equal(pixels, expected)


@pytest.mark.parametrize('size, factor', [(32, 5), (64, 3), (160, 1),
                                          (224, 1)])
def test_scale_for_reaches_the_minimum_side(size, factor):
    assert scale_for(size, 160) == factor


def test_upscale_is_nearest_neighbour():
    frames = np.arange(2 * 2 * 3 * 3, dtype=np.uint8).reshape(2, 2, 3, 3)
    big = upscale(frames, 4)
    assert big.shape == (2, 8, 12, 3)
    np.testing.assert_array_equal(big[:, ::4, ::4], frames)
    np.testing.assert_array_equal(big[:, 3::4, 3::4], frames)


def _frames_and_mask():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (4, 32, 48, 3), dtype=np.uint8)
    grid = (2, 4, 6)
    mask = torch.from_numpy(rng.random(grid) < 0.5)
    return frames, mask, grid


@pytest.mark.parametrize('draw', [draw_mask, fill_masked])
def test_visible_pixels_equal_masked_patches_differ(draw):
    frames, mask, grid = _frames_and_mask()
    pixel_mask = mask_to_pixels(mask.flatten(), grid, 2, 8)
    out = draw(frames, pixel_mask, 8)
    assert out.shape == frames.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out[~pixel_mask], frames[~pixel_mask])
    for t, h, w in zip(*np.nonzero(mask.numpy())):
        for f in (2 * t, 2 * t + 1):
            patch = np.s_[f, 8 * h:8 * h + 8, 8 * w:8 * w + 8]
            # Every pixel of a masked patch changes (tint or fill, outline).
            assert (out[patch] != frames[patch]).any(axis=-1).all()


def test_fill_shows_the_fill_colour_inside_masked_patches():
    frames, mask, grid = _frames_and_mask()
    pixel_mask = mask_to_pixels(mask.flatten(), grid, 2, 8)
    out = fill_masked(frames, pixel_mask, 8)
    inner = pixel_mask & ~patch_outline(pixel_mask, 8)
    assert (out[inner] == MASKED_FILL).all()


def test_outline_lies_on_masked_patch_borders():
    pixel_mask = np.zeros((1, 12, 12), dtype=bool)
    pixel_mask[0, 4:8, 0:4] = True  # one 4x4 patch
    outline = patch_outline(pixel_mask, 4)
    expected = np.zeros((1, 12, 12), dtype=bool)
    expected[0, 4, 0:4] = expected[0, 7, 0:4] = True
    expected[0, 4:8, 0] = expected[0, 4:8, 3] = True
    np.testing.assert_array_equal(outline, expected)
