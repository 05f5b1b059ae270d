"""RandomMasking: independent tokens over space-time (MAE-ST)."""
import pytest
import torch

from vmae_mm.models.masking import RandomMasking

GRID = (8, 14, 14)


def test_count_matches_videomae_v2_random_generator():
    # VideoMAE v2's RandomMaskingGenerator masks int(ratio * T*H*W).
    generator = RandomMasking(0.9)
    assert generator.num_masked(GRID) == int(0.9 * 1568) == 1411
    torch.manual_seed(0)
    assert generator(4, GRID).sum(dim=1).tolist() == [1411] * 4
    assert RandomMasking(0.75).num_masked((2, 3, 3)) == 13  # int(13.5)


def test_masks_vary_across_time():
    torch.manual_seed(0)
    mask = RandomMasking(0.9)(4, GRID).view(4, 8, 196)
    for sample in mask:
        assert any(not torch.equal(sample[0], slot) for slot in sample[1:])
    # Slots of one sample hold different numbers of masked tokens.
    assert mask.sum(dim=2).unique().numel() > 1


def test_every_token_equally_likely():
    torch.manual_seed(0)
    mask = RandomMasking(0.75)(4000, (2, 2, 4))
    freq = mask.float().mean(dim=0)
    assert freq.sub(0.75).abs().max() < 0.03


def test_invalid_ratio():
    with pytest.raises(ValueError, match='mask_ratio'):
        RandomMasking(-0.5)
