"""Reconstruction pictures: per-patch un-normalization as in the original
VideoMAE visualization, visible patches kept, the model left as it was."""
import numpy as np
import pytest
import torch

from vmae_mm.registry import MODELS
from vmae_mm.visualization import (check_reconstructs, draw_model_mask,
                                   mask_to_pixels, reconstruct_clip,
                                   reconstruction_grid, seeded_rng,
                                   unnormalize_patches)
from vmae_mm.visualization.grid_image import GridLayout
from vmae_mm.visualization.mask_overlay import MASKED_FILL

GRID = (2, 4, 4)  # a 4 x 64 x 64 clip in 2 x 16 x 16 tubelets


def build(norm_pix: bool = True, **extra):
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='VideoMAE',
        backbone=dict(type='VisionTransformer3D',
                      arch=dict(embed_dims=32, num_layers=1, num_heads=2,
                                mlp_dims=64),
                      img_size=64, num_frames=4, drop_path_rate=0.2),
        neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
                  num_layers=1, num_heads=2),
        head=dict(type='VideoMAEPretrainHead', norm_pix=norm_pix),
        mask_generator=dict(type='TubeMasking', mask_ratio=0.75),
        **extra))
    model.init_weights()
    return model


def clip(seed: int = 0) -> torch.Tensor:
    """uint8 ``(3, 4, 64, 64)``."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (3, 4, 64, 64), dtype=torch.uint8,
                         generator=generator)


def test_unnormalize_inverts_the_heads_target():
    head = build().head
    pixels = torch.rand(2, 5, 2 * 16 * 16 * 3)
    normalized = head._normalize(pixels, 3)
    torch.testing.assert_close(unnormalize_patches(normalized, pixels, 3),
                               pixels, atol=1e-5, rtol=0)


def _expected_masked_pixels(model, video, mask, norm_pix):
    """Prediction of every masked tubelet turned into pixels with the
    original visualization's formula, written out per tubelet in
    ``(C, T, H, W)`` space: ``pred * (std + 1e-6) + mean`` with the mean and
    unbiased std over the tubelet's (t, p, p) pixels of each channel."""
    with torch.no_grad():
        inputs = model.data_preprocessor(dict(inputs=[video[None]]))['inputs']
        pred = model.reconstruct(inputs, mask[None])[0]  # (N_masked, 1536)
    pixels = video.float() / 255  # (C, T, H, W)
    out = {}
    tokens = torch.nonzero(mask.reshape(GRID)).tolist()  # token order
    for row, (t, h, w) in enumerate(tokens):
        block = pixels[:, 2 * t:2 * t + 2, 16 * h:16 * h + 16,
                       16 * w:16 * w + 16]  # (C, t, p, p)
        block = block.permute(1, 2, 3, 0).reshape(-1, 3)  # (t*p*p, C)
        value = pred[row].reshape(-1, 3)  # (t, p, p, c) layout
        if norm_pix:
            value = value * (block.std(dim=0) + 1e-6) + block.mean(dim=0)
        value = (value.clamp(0, 1) * 255).round().reshape(2, 16, 16, 3)
        out[(t, h, w)] = value.numpy()
    return out


@pytest.mark.parametrize('norm_pix', [True, False])
def test_masked_patches_are_unnormalized_predictions(norm_pix):
    model = build(norm_pix).eval()
    video = clip()
    mask = draw_model_mask(model.mask_generator, GRID, seed=3)
    rec = reconstruct_clip(model, video, mask)  # (T, H, W, C)
    assert rec.shape == (4, 64, 64, 3) and rec.dtype == np.uint8
    original = video.permute(1, 2, 3, 0).numpy()
    pixel_mask = mask_to_pixels(mask, GRID, 2, 16)
    np.testing.assert_array_equal(rec[~pixel_mask], original[~pixel_mask])
    expected = _expected_masked_pixels(model, video, mask, norm_pix)
    assert len(expected) == 24
    for (t, h, w), value in expected.items():
        got = rec[2 * t:2 * t + 2, 16 * h:16 * h + 16, 16 * w:16 * w + 16]
        # Normalization of the input moves pixels by < 1e-6: at most one
        # grey level of rounding.
        assert np.abs(got.astype(int) - value).max() <= 1


def test_model_mode_and_gradients_are_left_alone():
    model = build().train()
    reconstruct_clip(model, clip(), draw_model_mask(model.mask_generator,
                                                    GRID, 0))
    assert model.training
    assert all(p.grad is None for p in model.parameters())
    model.eval()
    reconstruct_clip(model, clip(), draw_model_mask(model.mask_generator,
                                                    GRID, 0))
    assert not model.training


def test_eval_mode_makes_reconstructions_deterministic():
    # drop_path_rate=0.2: in train mode two passes would differ.
    model = build().train()
    mask = draw_model_mask(model.mask_generator, GRID, 0)
    first = reconstruct_clip(model, clip(), mask)
    assert np.array_equal(first, reconstruct_clip(model, clip(), mask))


def test_decoder_masking_model_reconstructs_every_masked_token():
    model = build(decoder_mask_generator=dict(type='RunningCellMasking',
                                              mask_ratio=0.5)).eval()
    mask = draw_model_mask(model.mask_generator, GRID, 1)
    rec = reconstruct_clip(model, clip(), mask)
    original = clip().permute(1, 2, 3, 0).numpy()
    pixel_mask = mask_to_pixels(mask, GRID, 2, 16)
    expected = _expected_masked_pixels(model, clip(), mask, True)
    for (t, h, w), value in expected.items():
        got = rec[2 * t:2 * t + 2, 16 * h:16 * h + 16, 16 * w:16 * w + 16]
        assert np.abs(got.astype(int) - value).max() <= 1
    np.testing.assert_array_equal(rec[~pixel_mask], original[~pixel_mask])


def test_grid_rows_original_masked_input_reconstruction():
    model = build().eval()
    video = clip()
    mask = draw_model_mask(model.mask_generator, GRID, 0)
    image = reconstruction_grid(model, video, mask, 'TubeMasking 0.75',
                                ['#0', '#1', '#2', '#3'])
    layout = GridLayout(3, 4, 64 * 3, 64 * 3, tubelet_size=2)
    assert image.shape == layout.shape
    big_mask = mask_to_pixels(mask, GRID, 2, 16).repeat(3, 1).repeat(3, 2)
    rec = reconstruct_clip(model, video, mask).repeat(3, 1).repeat(3, 2)
    original = video.permute(1, 2, 3, 0).numpy().repeat(3, 1).repeat(3, 2)
    for f in range(4):
        tiles = []
        for row in range(3):
            y0, x0, y1, x1 = layout.tile_box(row, f)
            tiles.append(image[y0:y1, x0:x1])
        np.testing.assert_array_equal(tiles[0], original[f])
        visible = ~big_mask[f]
        np.testing.assert_array_equal(tiles[1][visible], original[f][visible])
        masked = tiles[1][big_mask[f]]
        assert ((masked == MASKED_FILL).all(-1) |
                (masked == 250).all(-1)).all()  # fill or outline
        np.testing.assert_array_equal(tiles[2], rec[f])


def test_seeded_rng_gives_the_random_state_back():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    with seeded_rng(7):
        inside = torch.rand(3)
    assert torch.equal(torch.get_rng_state(), before)
    with seeded_rng(7):
        assert torch.equal(torch.rand(3), inside)


def test_other_models_are_refused_with_what_is_missing():
    with pytest.raises(ValueError, match='lacks reconstruct, mask_generator'):
        check_reconstructs(torch.nn.Linear(2, 2))
