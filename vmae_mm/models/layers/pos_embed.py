"""The fixed sin-cos position table of VideoMAE (resizing a table to another
grid lives in :mod:`vmae_mm.models.utils.pos_embed_resize`)."""
import torch


def sincos_table(num_positions: int, dims: int) -> torch.Tensor:
    """The fixed 1-D sin-cos table of the original VideoMAE.

    Position ``p`` and channel ``j`` get ``p / 10000 ** (2 * (j // 2) / dims)``,
    then sine on even channels and cosine on odd ones. Computed in float64
    and returned as float32, as the original does through numpy.

    Args:
        num_positions (int): Number of tokens N.
        dims (int): Channel count D.

    Returns:
        Tensor: The table, shape ``(1, N, D)``, float32.
    """
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    channel = torch.arange(dims, dtype=torch.float64)
    inv_freq = torch.pow(10000.0, 2 * torch.div(channel, 2, rounding_mode='floor') / dims)
    angles = position / inv_freq  # (N, D)
    table = torch.empty_like(angles)
    table[:, 0::2] = torch.sin(angles[:, 0::2])
    table[:, 1::2] = torch.cos(angles[:, 1::2])
    return table.float()[None]
