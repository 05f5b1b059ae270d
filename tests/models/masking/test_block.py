"""BlockMasking: contiguous space-time cuboids with an exact count."""
from collections import deque
from itertools import product

import pytest
import torch

from vmae_mm.models.masking import BlockMasking, RandomMasking

GRID = (8, 14, 14)


def neighbours(token, grid):
    T, H, W = grid
    t, h, w = token
    for dt, dh, dw in ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0),
                       (0, 0, 1), (0, 0, -1)):
        if 0 <= t + dt < T and 0 <= h + dh < H and 0 <= w + dw < W:
            yield t + dt, h + dh, w + dw


def isolated_tokens(mask, grid):
    """Masked tokens of a ``(B, N)`` mask with no masked face neighbour."""
    T, H, W = grid
    m = mask.view(-1, T, H, W)
    padded = torch.nn.functional.pad(m.float(), (1, 1, 1, 1, 1, 1)).bool()
    near = torch.zeros_like(m)
    for axis in (1, 2, 3):
        for step in (1, -1):
            shifted = padded.roll(step, dims=axis)[:, 1:-1, 1:-1, 1:-1]
            near |= shifted
    return (m & ~near).sum().item()


def components(tokens, grid):
    """Face-connected components of a set of ``(t, h, w)`` tokens."""
    tokens, seen, parts = set(tokens), set(), []
    for start in tokens:
        if start in seen:
            continue
        seen.add(start)
        part, queue = {start}, deque([start])
        while queue:
            for nb in neighbours(queue.popleft(), grid):
                if nb in tokens and nb not in seen:
                    seen.add(nb)
                    part.add(nb)
                    queue.append(nb)
        parts.append(part)
    return parts


def block_tokens(blocks, b, k):
    t0, h0, w0, lt, lh, lw = (int(x[b, k]) for x in blocks)
    return [(t, h, w) for t in range(t0, t0 + lt)
            for h in range(h0, h0 + lh) for w in range(w0, w0 + lw)]


def check_rule(mask, blocks, grid, n):
    """Check the docstring's rule sample by sample with plain Python."""
    T, H, W = grid
    K = blocks[0].shape[1]
    for b in range(mask.shape[0]):
        masked = {(i // (H * W), i // W % H, i % W)
                  for i in mask[b].nonzero()[:, 0].tolist()}
        assert len(masked) == n
        union, j = set(), 0
        while j < K and len(union | set(block_tokens(blocks, b, j))) <= n:
            union |= set(block_tokens(blocks, b, j))
            j += 1
        short = n - len(union)
        assert union <= masked  # step 1: whole blocks
        if j < K and (short >= 2 or j == 0):  # step 2: a cut block
            fresh = [x for x in block_tokens(blocks, b, j) if x not in union]
            assert masked == union | set(fresh[:short])
            origin = fresh[0] if short else None
        elif short:  # step 3: rings around the whole blocks
            ring = {x: 0 for x in union}
            queue = deque(union)
            while queue:
                x = queue.popleft()
                for nb in neighbours(x, grid):
                    if nb not in ring:
                        ring[nb] = ring[x] + 1
                        queue.append(nb)
            extra = masked - union
            top = max(ring[x] for x in extra)
            assert all(ring[x] <= top for x in extra)
            assert all(x in masked for x in ring if ring[x] < top)
            origin = None
        # Every piece holds a whole block or the cut block's first token.
        whole = [set(block_tokens(blocks, b, k)) for k in range(j)]
        for part in components(masked, grid):
            assert any(w <= part for w in whole) or origin in part


@pytest.mark.parametrize('ratio', [0.1, 0.4, 0.75, 0.9, 0.95])
def test_exact_count_and_no_isolated_token(ratio):
    generator = BlockMasking(ratio)
    torch.manual_seed(0)
    mask = generator(8, GRID)
    n = generator.num_masked(GRID)
    assert n == int(ratio * 1568)
    assert mask.sum(dim=1).tolist() == [n] * 8
    assert isolated_tokens(mask, GRID) == 0


def test_isolation_check_can_fail():
    torch.manual_seed(0)
    assert isolated_tokens(RandomMasking(0.5)(2, GRID), GRID) > 0


@pytest.mark.parametrize('kwargs, grid', [
    (dict(mask_ratio=0.75), GRID),
    (dict(mask_ratio=0.9, num_blocks=4), (4, 8, 8)),  # blocks fall short
    (dict(mask_ratio=0.4, min_num_patches=2, max_num_patches=6,
          temporal_extent=(1, 2)), (4, 6, 6)),
    (dict(mask_ratio=0.05, min_num_patches=30), (4, 8, 8)),  # cut block 0
])
def test_masks_follow_the_documented_rule(kwargs, grid):
    generator = BlockMasking(**kwargs)
    torch.manual_seed(1)
    blocks = generator.sample_blocks(6, grid, 'cpu')
    n = generator.num_masked(grid)
    check_rule(generator.masks_from_blocks(blocks, grid, n), blocks, grid, n)


def hand_blocks(*boxes):
    """One sample's blocks from ``(t0, h0, w0, lt, lh, lw)`` tuples."""
    return tuple(torch.tensor([[box[i] for box in boxes]]) for i in range(6))


def test_one_token_left_goes_next_to_the_whole_blocks():
    grid = (1, 4, 4)
    # Two 2x2 blocks in opposite corners; 5 tokens: block 0 + one more.
    blocks = hand_blocks((0, 0, 0, 1, 2, 2), (0, 2, 2, 1, 2, 2))
    torch.manual_seed(0)
    mask = BlockMasking(0.3, min_num_patches=2).masks_from_blocks(
        blocks, grid, 5).view(4, 4)
    assert mask[:2, :2].all()
    extra = mask.clone()
    extra[:2, :2] = False
    assert extra.sum() == 1
    assert extra[0, 2] or extra[1, 2] or extra[2, 0] or extra[2, 1]
    check_rule(mask.view(1, -1), blocks, grid, 5)


def test_cut_block_is_a_raster_prefix():
    grid = (1, 4, 4)
    blocks = hand_blocks((0, 0, 0, 1, 3, 3), (0, 3, 3, 1, 1, 1))
    mask = BlockMasking(0.3, min_num_patches=2).masks_from_blocks(
        blocks, grid, 4).view(4, 4)
    expected = torch.zeros(4, 4, dtype=torch.bool)
    expected[0, :3] = True
    expected[1, 0] = True
    assert torch.equal(mask, expected)


def test_blocks_stay_in_the_grid_and_follow_their_sizes():
    generator = BlockMasking(0.75, min_num_patches=8, max_num_patches=20,
                             temporal_extent=(2, 3))
    torch.manual_seed(0)
    t0, h0, w0, lt, lh, lw = generator.sample_blocks(32, GRID, 'cpu')
    for start, size, extent in ((t0, lt, 8), (h0, lh, 14), (w0, lw, 14)):
        assert (start >= 0).all() and (size >= 1).all()
        assert (start + size <= extent).all()
    assert (lt <= 3).all() and (lh * lw * lt >= 2).all()
    # Blocks clear of the border keep their whole drawn size.
    inner = ((h0 > 0) & (h0 + lh < 14) & (w0 > 0) & (w0 + lw < 14) &
             (t0 > 0) & (t0 + lt < 8))
    assert inner.sum() > 100
    assert (lh * lw)[inner].min() >= 8 and (lt[inner] >= 2).all()
    assert (lh * lw)[inner].max() <= 20 + 4  # rounded up to whole rows


def test_border_tokens_are_masked_about_as_often_as_central_ones():
    torch.manual_seed(0)
    mask = BlockMasking(0.75)(256, GRID).view(256, 8, 14, 14)
    freq = mask.float().mean(dim=(0, 1))  # (H', W')
    assert freq.min() > 0.55 and freq.max() < 0.9
    assert freq[0, 0] > 0.55 and freq[6:8, 6:8].mean() < 0.9


def test_full_temporal_extent_gives_tubes():
    generator = BlockMasking(0.9, temporal_extent='full')
    assert generator.num_masked(GRID) == 8 * 176
    torch.manual_seed(0)
    mask = generator(4, GRID)
    assert mask.sum(dim=1).tolist() == [1408] * 4
    slots = mask.view(4, 8, 196)
    assert torch.equal(slots, slots[:, :1].expand_as(slots))
    assert isolated_tokens(mask, GRID) == 0


def test_cubes_vary_across_time_by_default():
    torch.manual_seed(0)
    slots = BlockMasking(0.5)(4, GRID).view(4, 8, 196)
    assert not (slots == slots[:, :1]).all(dim=(1, 2)).any()


@pytest.mark.parametrize('kwargs, match', [
    (dict(min_num_patches=1), 'min_num_patches must be at least 2'),
    (dict(min_num_patches=16, max_num_patches=8), 'max_num_patches'),
    (dict(min_aspect=0.0), 'min_aspect'),
    (dict(min_aspect=2.0, max_aspect=1.0), 'min_aspect'),
    (dict(temporal_extent='half'), 'temporal_extent'),
    (dict(temporal_extent=(3, 2)), 'temporal_extent'),
    (dict(num_blocks=0), 'num_blocks'),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BlockMasking(0.5, **kwargs)


def test_grid_too_small_for_the_blocks():
    with pytest.raises(ValueError, match='lower min_num_patches'):
        BlockMasking(0.5, min_num_patches=16)(2, (8, 3, 3))
    with pytest.raises(ValueError, match='only 2'):
        BlockMasking(0.5, temporal_extent=(4, 8))(2, (2, 14, 14))


def test_small_grids_and_batches():
    for grid, batch in product([(1, 2, 2), (2, 4, 6), (3, 5, 7)], [1, 3]):
        generator = BlockMasking(0.6, min_num_patches=2)
        mask = generator(batch, grid)
        n = generator.num_masked(grid)
        assert mask.sum(dim=1).tolist() == [n] * batch
        if n >= 2:
            assert isolated_tokens(mask, grid) == 0
