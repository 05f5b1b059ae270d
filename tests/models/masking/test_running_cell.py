"""RunningCellMasking: VideoMAE v2's running-cell pattern."""
import numpy as np
import pytest
import torch

from vmae_mm.models.masking import RunningCellMasking

GRID = (8, 14, 14)


def v2_patterns(grid, mask_ratio):
    """All phases of VideoMAE v2's RunningCellMaskingGenerator, recomputed
    from its description: a queue of ``m`` ones and ``4 - m`` zeros read
    cyclically from a pointer that advances by one before every slot, the
    2x2 cell tiled over the plane. Returns ``(4, T*H*W)`` bool."""
    T, H, W = grid
    masked = int(4 * mask_ratio)
    queue = np.array([1] * masked + [0] * (4 - masked))
    patterns = []
    for start in range(4):
        pointer, slots = start, []
        for _ in range(T):
            pointer += 1
            cell = np.roll(queue, -pointer).reshape(2, 2)  # queue[i + ptr]
            slots.append(np.tile(cell, (H // 2, W // 2)).reshape(-1))
        patterns.append(np.concatenate(slots))
    return torch.from_numpy(np.stack(patterns).astype(bool))


@pytest.mark.parametrize('ratio', [0.25, 0.5, 0.75])
def test_every_row_is_one_of_the_v2_phases_and_all_occur(ratio):
    torch.manual_seed(0)
    mask = RunningCellMasking(ratio)(32, GRID)
    patterns = v2_patterns(GRID, ratio)
    assert len({tuple(p.tolist()) for p in patterns}) == 4
    matches = (mask[:, None, :] == patterns[None]).all(dim=2)  # (B, 4)
    assert (matches.sum(dim=1) == 1).all()
    assert matches.any(dim=0).all()  # all four phases are drawn


def test_half_of_each_cell_and_the_visible_position_runs():
    torch.manual_seed(0)
    mask = RunningCellMasking(0.5)(4, GRID).view(4, 8, 7, 2, 7, 2)
    cells = mask.permute(0, 1, 2, 4, 3, 5).reshape(4, 8, 49, 4)
    assert (cells.sum(dim=-1) == 2).all()
    # Every cell of a slot is the same, and it moves on every slot.
    assert (cells == cells[:, :, :1]).all()
    assert not (cells[:, 1:, 0] == cells[:, :-1, 0]).all(dim=-1).any()
    # Over four slots each position is visible twice.
    assert (cells[:, :4, 0].logical_not().sum(dim=1) == 2).all()


def test_counts_and_effective_ratio():
    assert RunningCellMasking(0.5).num_masked(GRID) == 784
    assert RunningCellMasking(0.75).num_masked(GRID) == 1176
    assert RunningCellMasking(0.6).num_masked(GRID) == 784  # int(2.4) = 2
    assert RunningCellMasking().mask_ratio == 0.5


@pytest.mark.parametrize('grid', [(8, 7, 14), (8, 14, 13), (2, 1, 1)])
def test_odd_plane_is_refused(grid):
    with pytest.raises(ValueError, match='even'):
        RunningCellMasking(0.5)(2, grid)


@pytest.mark.parametrize('ratio', [0.0, 0.2])
def test_ratio_below_one_per_cell_is_refused(ratio):
    with pytest.raises(ValueError, match=r'\[0.25, 1\)'):
        RunningCellMasking(ratio)
    generator = RunningCellMasking(0.5)
    generator.mask_ratio = ratio  # e.g. set by a schedule
    with pytest.raises(ValueError, match=r'\[0.25, 1\)'):
        generator(2, GRID)
