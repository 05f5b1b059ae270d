"""Stochastic depth."""
from typing import List

import torch
from torch import nn


class DropPath(nn.Module):
    """Drops the whole residual branch per sample with probability ``p``.

    Args:
        drop_prob (float): Probability of dropping. Defaults to 0.
    """

    def __init__(self, drop_prob: float = 0.0) -> None:
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.drop_prob == 0.0 or not self.training:
            return x
        keep_prob = 1.0 - self.drop_prob
        shape = (x.shape[0], ) + (1, ) * (x.ndim - 1)
        keep = x.new_empty(shape).bernoulli_(keep_prob)
        return x * keep / keep_prob

    def extra_repr(self) -> str:
        return f'drop_prob={self.drop_prob}'


def drop_path_rates(max_rate: float, num_layers: int) -> List[float]:
    """Stochastic-depth rates rising linearly from 0 to ``max_rate`` over
    ``num_layers`` blocks (``torch.linspace``'s values, computed without a
    tensor so models also build on the meta device)."""
    if num_layers == 1:
        return [0.0]
    return [max_rate * i / (num_layers - 1) for i in range(num_layers)]
