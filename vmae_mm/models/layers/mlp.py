"""Transformer feed-forward block."""
import torch
from torch import nn


class Mlp(nn.Module):
    """``fc2(gelu(fc1(x)))``, the original's naming (``fc1``, ``fc2``).

    Args:
        in_dims (int): Input and output width.
        hidden_dims (int): Hidden width.
        drop (float): Dropout after each linear. Defaults to 0.
    """

    def __init__(self, in_dims: int, hidden_dims: int,
                 drop: float = 0.0) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_dims, hidden_dims)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dims, in_dims)
        self.drop = nn.Dropout(drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))
