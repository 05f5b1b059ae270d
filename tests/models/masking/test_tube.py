"""TubeMasking: one spatial mask per sample, repeated over time."""
import pytest
import torch

from vmae_mm.models.masking import TubeMasking
from vmae_mm.registry import MASK_GENERATORS

GRID = (8, 14, 14)


def test_videomae_count_176_of_196_per_slot():
    generator = TubeMasking(0.9)
    torch.manual_seed(0)
    mask = generator(4, GRID)
    per_slot = mask.view(4, 8, 196).sum(dim=2)
    assert (per_slot == 176).all()
    assert generator.num_masked(GRID) == 1408
    assert mask.sum(dim=1).tolist() == [1408] * 4


def test_identical_in_every_temporal_slot():
    torch.manual_seed(0)
    mask = TubeMasking(0.75)(5, GRID).view(5, 8, 196)
    assert torch.equal(mask, mask[:, :1].expand_as(mask))


def test_spatial_masks_differ_between_samples_and_cover_the_plane():
    torch.manual_seed(0)
    mask = TubeMasking(0.5)(400, (2, 4, 4)).view(400, 2, 16)[:, 0]
    assert len({tuple(row.tolist()) for row in mask}) > 300
    # Uniform over positions: each is masked in about half of the samples.
    freq = mask.float().mean(dim=0)
    assert freq.min() > 0.4 and freq.max() < 0.6


def test_floor_count_and_ratio_zero():
    assert TubeMasking(0.75).num_masked((4, 3, 3)) == 4 * 6  # int(6.75)
    mask = TubeMasking(0.0)(2, GRID)
    assert not mask.any()


def test_built_from_config():
    generator = MASK_GENERATORS.build(dict(type='TubeMasking',
                                           mask_ratio=0.9))
    assert isinstance(generator, TubeMasking)
    with pytest.raises(ValueError, match='mask_ratio'):
        TubeMasking(1.0)
