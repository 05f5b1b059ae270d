"""Block masking: contiguous space-time cuboids (BEiT / BEVT style)."""
import math
from typing import Optional, Sequence, Tuple, Union

import torch

from vmae_mm.registry import MASK_GENERATORS
from .base import BaseMaskGenerator, Device, Grid

#: ``(B, K)`` bounds of K blocks per sample: starts and sizes along T', H', W'.
Blocks = Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor,
               torch.Tensor, torch.Tensor]


@MASK_GENERATORS.register_module()
class BlockMasking(BaseMaskGenerator):
    """Masks made of contiguous space-time cuboids, an exact count per row.

    Every sample draws ``num_blocks`` candidate blocks in one batched call.
    A block is a spatial rectangle of ``min_num_patches`` to
    ``max_num_patches`` tokens (the drawn area, rounded up to whole rows and
    columns) with an aspect ratio (height / width) log-uniform in
    ``[min_aspect, max_aspect]``, as BEiT draws them, extended over
    consecutive temporal slots (``temporal_extent``). Its position is uniform
    among those that keep at least one of its slots and two of its rows and
    of its columns (one if it has one) inside the grid; the part outside is
    cut off, so every block keeps at least two tokens. Border tokens are
    thus masked about as often as central ones: placing blocks wholly
    inside, as BEiT does, left a corner token visible in 53% of masks and a
    central one in 1% at ratio 0.9 on 8x14x14 (here: 16% and 9%).

    With ``n = int(mask_ratio * N)`` the target count, the mask of a sample
    is built from its blocks in their drawn order, exactly as follows. Let
    ``j`` be the number of leading blocks whose union holds at most ``n``
    tokens and ``U`` that union, ``r = n - |U|`` tokens short:

    1. ``U`` is masked: blocks ``0 .. j-1`` are masked whole.
    2. If a block ``j`` exists and ``r >= 2`` (or ``j = 0``), the first ``r``
       tokens of block ``j`` not already in ``U``, in the block's raster
       order (slot, then row, then column), are masked: a cut block.
    3. Otherwise (all blocks together hold fewer than ``n`` tokens, or one
       token is left over), the ``r`` tokens nearest to ``U`` in face steps
       (L1 distance on the grid) are masked, ring by ring, ties broken at
       random.

    Contiguity guarantee (checked in the tests): when ``n >= 2``, every
    masked token has a masked face neighbour (one step along ``t``, ``h`` or
    ``w``), and every face-connected component of the mask contains a whole
    block or the first token of the cut block; so the mask is a union of at
    most ``j + 1`` connected pieces, each grown from a cuboid. (Each token of
    a cut block but the block's first touches the token before it in the
    block's raster order, which is masked; the block's first token touches
    the one after it, masked when ``r >= 2``; each ring-``d`` token touches a
    ring-``d - 1`` one.)

    Args:
        mask_ratio (float): Fraction of tokens masked, in ``[0, 1)``.
        min_num_patches (int): Smallest spatial area of a block, in tokens
            per slot; at least 2. Defaults to 16 (BEiT's setting).
        max_num_patches (int, optional): Largest spatial area, capped at
            ``H' * W'``. Defaults to None: ``int(mask_ratio * H' * W')`` (a
            slot's share of the target, BEiT's default), at least
            ``min_num_patches``.
        min_aspect (float): Smallest height / width ratio. Defaults to 0.3.
        max_aspect (float, optional): Largest ratio. Defaults to None:
            ``1 / min_aspect``.
        temporal_extent (tuple[int, int] | str, optional): Consecutive
            temporal slots a block spans: ``(lo, hi)`` draws the length
            uniformly from ``lo`` to ``min(hi, T')``; ``'full'`` makes every
            block span all ``T'`` slots: the rule below runs on the
            ``H' x W'`` plane with ``n = int(mask_ratio * H' * W')`` and the
            mask repeats in every slot (BEVT's block-wise tube masking;
            ``T' * n`` tokens masked). Defaults to None: ``(1, T')``, cubes
            of any length.
        num_blocks (int): Candidate blocks drawn per sample. More blocks
            leave less to step 3 and cost ``B * K * N`` memory.
            Defaults to 64.
    """

    def __init__(self,
                 mask_ratio: float,
                 min_num_patches: int = 16,
                 max_num_patches: Optional[int] = None,
                 min_aspect: float = 0.3,
                 max_aspect: Optional[float] = None,
                 temporal_extent: Union[Tuple[int, int], str, None] = None,
                 num_blocks: int = 64) -> None:
        super().__init__(mask_ratio)
        if min_num_patches < 2:
            raise ValueError(
                f'min_num_patches must be at least 2 (a block of one token '
                f'is not contiguous with anything), got {min_num_patches}')
        if max_num_patches is not None and max_num_patches < min_num_patches:
            raise ValueError(
                f'max_num_patches ({max_num_patches}) must be at least '
                f'min_num_patches ({min_num_patches})')
        if min_aspect <= 0:
            raise ValueError(f'min_aspect must be positive, got {min_aspect}')
        max_aspect = 1.0 / min_aspect if max_aspect is None else max_aspect
        if max_aspect < min_aspect:
            raise ValueError(f'need min_aspect <= max_aspect, got '
                             f'{min_aspect} and {max_aspect}')
        if isinstance(temporal_extent, str):
            if temporal_extent != 'full':
                raise ValueError(f"temporal_extent must be None, 'full' or "
                                 f'(lo, hi), got {temporal_extent!r}')
        elif temporal_extent is not None:
            lo, hi = temporal_extent
            if not 1 <= lo <= hi:
                raise ValueError(f'temporal_extent (lo, hi) needs '
                                 f'1 <= lo <= hi, got {temporal_extent}')
            temporal_extent = (int(lo), int(hi))
        if num_blocks < 1:
            raise ValueError(f'num_blocks must be positive, got {num_blocks}')
        self.min_num_patches = min_num_patches
        self.max_num_patches = max_num_patches
        self.min_aspect = min_aspect
        self.max_aspect = max_aspect
        self.temporal_extent = temporal_extent
        self.num_blocks = num_blocks

    def num_masked(self, grid: Sequence[int]) -> int:
        T, H, W = grid
        if self.temporal_extent == 'full':
            return T * int(self.mask_ratio * H * W)
        return int(self.mask_ratio * T * H * W)

    def _area_range(self, grid: Sequence[int]) -> Tuple[int, int]:
        T, H, W = grid
        if self.min_num_patches > H * W:
            raise ValueError(
                f'BlockMasking(min_num_patches={self.min_num_patches}) needs '
                f'blocks larger than the {H}x{W} token plane of grid '
                f'{tuple(grid)}; lower min_num_patches')
        high = self.max_num_patches
        if high is None:
            high = int(self.mask_ratio * H * W)
        return self.min_num_patches, min(max(high, self.min_num_patches),
                                         H * W)

    def _length_range(self, num_slots: int) -> Tuple[int, int]:
        if self.temporal_extent == 'full':
            return num_slots, num_slots
        if self.temporal_extent is None:
            return 1, num_slots
        lo, hi = self.temporal_extent
        if lo > num_slots:
            raise ValueError(
                f'BlockMasking(temporal_extent={self.temporal_extent}) needs '
                f'blocks of at least {lo} slots, but the grid has only '
                f'{num_slots}')
        return lo, min(hi, num_slots)

    def sample_blocks(self, batch_size: int, grid: Grid,
                      device: Device) -> Blocks:
        """Draw ``num_blocks`` candidate blocks for every sample.

        Returns:
            tuple[Tensor, ...]: ``(t0, h0, w0, lt, lh, lw)``, each int64
            ``(B, K)``: the first slot, row and column of every block and its
            length in slots, rows and columns, all inside the grid.
        """
        T, H, W = grid
        shape = (batch_size, self.num_blocks)
        a_lo, a_hi = self._area_range(grid)
        area = torch.randint(a_lo, a_hi + 1, shape, device=device)
        log_aspect = torch.empty(shape, device=device).uniform_(
            math.log(self.min_aspect), math.log(self.max_aspect))
        lh = torch.sqrt(area * log_aspect.exp()).round().long().clamp(1, H)
        lw = ((area + lh - 1) // lh).clamp(1, W)  # ceil: lh * lw >= area
        lh = torch.maximum(lh, (area + lw - 1) // lw).clamp(max=H)
        t_lo, t_hi = self._length_range(T)
        lt = torch.randint(t_lo, t_hi + 1, shape, device=device)
        # A block may hang over the border and is clipped to the grid, so
        # that border tokens are about as likely to be masked as central
        # ones; it keeps at least `keep` slots, rows and columns inside.
        keep_t = lt if self.temporal_extent == 'full' else torch.ones_like(lt)
        t0, lt = self._place(lt, keep_t, T)
        h0, lh = self._place(lh, lh.clamp(max=2), H)
        w0, lw = self._place(lw, lw.clamp(max=2), W)
        return t0, h0, w0, lt, lh, lw

    @staticmethod
    def _place(size: torch.Tensor, keep: torch.Tensor,
               extent: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Uniform start along one axis among those that leave ``keep`` of
        ``size`` inside ``[0, extent)``; returns the clipped start and size,
        each ``(B, K)``."""
        lowest = keep - size
        count = extent - keep - lowest + 1  # (B, K) possible starts
        start = lowest + (torch.rand(size.shape, device=size.device) *
                          count).long().clamp(max=count - 1)
        end = (start + size).clamp(max=extent)
        start = start.clamp(min=0)
        return start, end - start

    def masks_from_blocks(self, blocks: Blocks, grid: Grid,
                          num_masked: int) -> torch.Tensor:
        """The mask rule of the class docstring applied to given blocks.

        Args:
            blocks (tuple[Tensor, ...]): As returned by :meth:`sample_blocks`.
            grid (tuple[int, int, int]): ``(T', H', W')``.
            num_masked (int): n, masked tokens per row.

        Returns:
            Tensor: Bool ``(B, T'*H'*W')`` with ``n`` ``True`` per row.
        """
        T, H, W = grid
        N = T * H * W
        t0, h0, w0, lt, lh, lw = blocks
        B, K = t0.shape
        device = t0.device
        t = torch.arange(T, device=device)
        h = torch.arange(H, device=device)
        w = torch.arange(W, device=device)
        small = torch.int16  # distances stay below T' + H' + W'

        def gap(start, size, coords):
            # (B, K, L): distance of every coordinate to the block's span.
            off = coords - start[..., None]
            return ((-off).clamp(min=0) +
                    (off - size[..., None] + 1).clamp(min=0)).to(small)

        gt, gh, gw = gap(t0, lt, t), gap(h0, lh, h), gap(w0, lw, w)
        # (B, K, T', H', W') -> (B, K, N): L1 distance to each block.
        dist = (gt[..., :, None, None] + gh[..., None, :, None] +
                gw[..., None, None, :]).reshape(B, K, N)
        inside = dist == 0  # (B, K, N)

        covered = inside.any(dim=1)  # (B, N)
        first = inside.to(torch.uint8).argmax(dim=1)  # (B, N) first block
        new = torch.zeros(B, K, dtype=torch.long, device=device)
        new.scatter_add_(1, first, covered.long())  # (B, K) tokens it adds
        union_size = new.cumsum(dim=1)  # (B, K) |block 0 u ... u block k|
        j = (union_size <= num_masked).sum(dim=1)  # (B,) whole blocks
        in_union = covered & (first < j[:, None])  # (B, N) U
        short = num_masked - torch.where(
            j > 0,
            union_size.gather(1, (j - 1).clamp(min=0)[:, None])[:, 0],
            torch.zeros_like(j))  # (B,) r
        cut = (j < K) & ((short >= 2) | (j == 0))  # (B,) step 2 applies

        # Step 2: raster rank inside block j of its tokens outside U.
        jc = j.clamp(max=K - 1)[:, None]  # (B, 1)
        bt, bh, bw, _, sh, sw = (x.gather(1, jc) for x in blocks)  # (B, 1)
        rank = (((t - bt)[:, :, None, None] * sh[..., None, None] +
                 (h - bh)[:, None, :, None]) * sw[..., None, None] +
                (w - bw)[:, None, None, :]).reshape(B, N)
        in_cut = inside.gather(1, jc[..., None].expand(B, 1, N))[:, 0]
        in_cut &= ~in_union  # (B, N)

        # Step 3: distance to U, ring by ring, random order within a ring.
        accepted = torch.arange(K, device=device) < j[:, None]  # (B, K)
        far = T + H + W
        ring = torch.where(accepted[..., None], dist,
                           torch.full_like(dist, far)).amin(dim=1).long()
        tie = torch.rand(B, N, device=device).argsort(dim=1)  # a permutation

        never = 1 + (far + 1) * N  # larger than every other key
        key = torch.where(
            cut[:, None],
            torch.where(in_cut, 1 + rank, torch.full_like(rank, never)),
            1 + ring * N + tie)
        key = torch.where(in_union, torch.zeros_like(key), key)
        chosen = key.argsort(dim=1)[:, :num_masked]
        mask = torch.zeros(B, N, dtype=torch.bool, device=device)
        return mask.scatter_(1, chosen, True)

    def generate(self, batch_size: int, grid: Grid,
                 device: Device) -> torch.Tensor:
        if self.temporal_extent != 'full':
            blocks = self.sample_blocks(batch_size, grid, device)
            return self.masks_from_blocks(blocks, grid,
                                          self.num_masked(grid))
        T, H, W = grid
        plane = (1, H, W)
        blocks = self.sample_blocks(batch_size, plane, device)
        mask = self.masks_from_blocks(blocks, plane,
                                      self.num_masked(plane))  # (B, H'*W')
        return mask[:, None, :].expand(batch_size, T, H * W).reshape(
            batch_size, T * H * W)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(mask_ratio={self.mask_ratio}, '
                f'min_num_patches={self.min_num_patches}, '
                f'max_num_patches={self.max_num_patches}, '
                f'min_aspect={self.min_aspect}, '
                f'max_aspect={self.max_aspect}, '
                f'temporal_extent={self.temporal_extent!r}, '
                f'num_blocks={self.num_blocks})')
