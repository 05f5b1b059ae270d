"""Tubelet plumbing: patchify/unpatchify, the conv-ordered layout and the
two ways of gathering tokens."""
import pytest
import torch
import torch.nn.functional as F

from vmae_mm.models.utils.patchify import (gather_tokens, patchify,
                                           patchify_channels_first,
                                           token_grid, unpatchify)


def test_unpatchify_inverts_patchify():
    video = torch.randn(2, 3, 4, 32, 48)
    patches = patchify(video, 2, 16)
    assert patches.shape == (2, 2 * 2 * 3, 2 * 16 * 16 * 3)
    assert torch.equal(unpatchify(patches, (2, 2, 3), 2, 16), video)


def test_patch_values_are_t_p_p_c_in_token_order():
    video = torch.arange(3 * 4 * 32 * 32, dtype=torch.float32).reshape(
        1, 3, 4, 32, 32)
    patches = patchify(video, 2, 16)
    # token 3 = t 0, h 1, w 1; its value (t=1, y=2, x=5, c=2)
    t, y, x, c = 1, 2, 5, 2
    value = patches[0, 3].reshape(2, 16, 16, 3)[t, y, x, c]
    assert value == video[0, c, t, 16 + y, 16 + x]


def test_channels_first_layout_matches_the_conv():
    conv = torch.nn.Conv3d(3, 8, kernel_size=(2, 16, 16), stride=(2, 16, 16))
    video = torch.randn(2, 3, 4, 32, 32)
    expected = conv(video).flatten(2).transpose(1, 2)  # (B, N, D)
    patches = patchify_channels_first(video, 2, 16)
    got = F.linear(patches, conv.weight.flatten(1), conv.bias)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('count', [None, 7])
def test_gather_keeps_token_order(count):
    torch.manual_seed(0)
    tokens = torch.randn(3, 20, 5)
    select = torch.zeros(3, 20, dtype=torch.bool)
    for row in range(3):
        select[row, torch.randperm(20)[:7]] = True
    got = gather_tokens(tokens, select, count)
    for row in range(3):
        ids = select[row].nonzero().flatten()  # ascending
        assert torch.equal(got[row], tokens[row, ids])


def test_gather_broadcasts_a_shared_table():
    table = torch.randn(1, 10, 4)
    select = torch.zeros(2, 10, dtype=torch.bool)
    select[0, [1, 5]] = True
    select[1, [0, 9]] = True
    got = gather_tokens(table, select, 2)
    assert torch.equal(got[0], table[0, [1, 5]])
    assert torch.equal(got[1], table[0, [0, 9]])


def test_token_grid_rejects_sizes_that_do_not_divide():
    assert token_grid((16, 224, 224), 2, 16) == (8, 14, 14)
    with pytest.raises(ValueError, match='does not divide'):
        token_grid((15, 224, 224), 2, 16)
