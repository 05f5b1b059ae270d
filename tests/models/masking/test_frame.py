"""FrameMasking: whole temporal slots."""
import pytest
import torch

from vmae_mm.models.masking import FrameMasking

GRID = (8, 14, 14)


def test_whole_slots_masked_and_visible():
    torch.manual_seed(0)
    mask = FrameMasking(0.875)(6, GRID).view(6, 8, 196)
    per_slot = mask.sum(dim=2)  # (B, T')
    assert ((per_slot == 0) | (per_slot == 196)).all()
    assert (mask.all(dim=2).sum(dim=1) == 7).all()
    assert (mask.any(dim=2).logical_not().sum(dim=1) == 1).all()


@pytest.mark.parametrize('ratio, slots, masked', [
    (0.875, 8, 7), (0.9, 8, 7), (0.75, 8, 6), (0.5, 8, 4), (0.5, 3, 2),
    (0.4, 5, 2), (0.1, 4, 0)])
def test_rounding_rule(ratio, slots, masked):
    generator = FrameMasking(ratio)
    assert generator.num_masked_slots(slots) == masked
    assert generator.num_masked((slots, 2, 3)) == masked * 6


def test_slot_choice_is_random_per_sample():
    torch.manual_seed(0)
    mask = FrameMasking(0.5)(2000, (4, 1, 1))  # (B, 4): one token per slot
    assert len({tuple(row.tolist()) for row in mask[:50]}) > 1
    freq = mask.float().mean(dim=0)
    assert freq.sub(0.5).abs().max() < 0.05


@pytest.mark.parametrize('ratio, slots', [(0.95, 8), (0.5, 1), (0.9, 2)])
def test_at_least_one_slot_stays_visible(ratio, slots):
    generator = FrameMasking(ratio)
    with pytest.raises(ValueError, match=f'all {slots} temporal slots'):
        generator(2, (slots, 14, 14))
