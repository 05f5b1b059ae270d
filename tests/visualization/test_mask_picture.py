"""The mask picture: the clip, then one row per strategy."""
import numpy as np
import pytest
import torch

from vmae_mm.registry import MASK_GENERATORS, MODELS
from vmae_mm.visualization import (DEFAULT_RATIOS, GridLayout, MaskRow,
                                   mask_picture, mask_to_pixels,
                                   strategies_to_show)


def tiny_model(**extra):
    return MODELS.build(dict(
        type='VideoMAE',
        backbone=dict(type='VisionTransformer3D',
                      arch=dict(embed_dims=32, num_layers=1, num_heads=2,
                                mlp_dims=64), img_size=64, num_frames=16),
        neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
                  num_layers=1, num_heads=2),
        head=dict(type='VideoMAEPretrainHead'),
        mask_generator=dict(type='TubeMasking', mask_ratio=0.9), **extra))


def test_configured_strategies_come_first():
    rows = strategies_to_show(tiny_model(), 'configured')
    assert len(rows) == 1 and rows[0].label.startswith('configured')
    model = tiny_model(decoder_mask_generator=dict(
        type='RunningCellMasking', mask_ratio=0.5))
    rows = strategies_to_show(model, 'configured')
    assert [r.generator for r in rows] == [model.mask_generator,
                                           model.decoder_mask_generator]


def test_all_shows_every_registered_strategy():
    rows = strategies_to_show(tiny_model(), 'all')
    names = sorted(MASK_GENERATORS.module_dict)
    assert [type(r.generator).__name__ for r in rows[1:]] == names
    for row in rows[1:]:
        name = type(row.generator).__name__
        assert row.generator.mask_ratio == DEFAULT_RATIOS.get(name, 0.75)
    with pytest.raises(ValueError, match="'all' or 'configured'"):
        strategies_to_show(tiny_model(), 'every')


def test_rows_show_each_mask_over_the_clip():
    grid = (8, 4, 4)
    clip = torch.randint(0, 256, (3, 16, 64, 64), dtype=torch.uint8,
                         generator=torch.Generator().manual_seed(0))
    rows = strategies_to_show(tiny_model(), 'all')
    picture = mask_picture(clip, rows, grid, 2, 16, seed=5)
    assert picture.skipped == []
    assert len(picture.masks) == len(rows)
    layout = GridLayout(1 + len(rows), 16, 192, 192, tubelet_size=2)
    assert picture.layout == layout and picture.image.shape == layout.shape
    original = clip.permute(1, 2, 3, 0).numpy().repeat(3, 1).repeat(3, 2)
    for r, mask in enumerate(picture.masks, start=1):
        assert mask.shape == (128,)
        pixel_mask = mask_to_pixels(mask, grid, 2, 16).repeat(3, 1).repeat(
            3, 2)
        for f in range(16):
            y0, x0, y1, x1 = layout.tile_box(r, f)
            tile = picture.image[y0:y1, x0:x1]
            visible = ~pixel_mask[f]
            np.testing.assert_array_equal(tile[visible],
                                          original[f][visible])
            assert (tile[~visible] != original[f][~visible]).any(-1).all()
    # Every strategy draws under the same seed: the configured tube mask is
    # the TubeMasking row's.
    names = [type(r.generator).__name__ for r in rows]
    tube = len(names) - 1 - names[::-1].index('TubeMasking')
    assert tube > 0
    assert torch.equal(picture.masks[0], picture.masks[tube])


def test_a_strategy_that_cannot_mask_the_grid_is_reported():
    rows = [MaskRow('block', MASK_GENERATORS.build(
        dict(type='BlockMasking', mask_ratio=0.9))),
            MaskRow('tube', MASK_GENERATORS.build(
                dict(type='TubeMasking', mask_ratio=0.5)))]
    clip = torch.zeros(3, 4, 32, 32, dtype=torch.uint8)
    picture = mask_picture(clip, rows, (2, 2, 2), 2, 16)
    assert picture.labels == ['tube']
    assert len(picture.skipped) == 1
    assert 'BlockMasking 0.9' in picture.skipped[0]
    assert 'lower min_num_patches' in picture.skipped[0]
