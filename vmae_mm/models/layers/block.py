"""Pre-norm transformer block."""
import torch
from torch import nn

from .attention import Attention, AttentionImpl
from .drop_path import DropPath
from .mlp import Mlp


class Block(nn.Module):
    """``x + attn(norm1(x))`` then ``x + mlp(norm2(x))``.

    Parameter names follow the original VideoMAE (``norm1``, ``attn``,
    ``norm2``, ``mlp``, ``gamma_1``, ``gamma_2``) so checkpoints map
    one-to-one.

    Args:
        dims (int): Token width D.
        num_heads (int): Attention heads.
        mlp_dims (int): Hidden width of the MLP.
        qkv_bias (bool): Learn q/v biases. Defaults to True.
        drop (float): Dropout after projections. Defaults to 0.
        attn_drop (float): Attention dropout. Defaults to 0.
        drop_path (float): Stochastic depth rate. Defaults to 0.
        init_values (float): LayerScale init; 0 disables LayerScale.
            Defaults to 0.
        norm_eps (float): LayerNorm epsilon. Defaults to 1e-6.
        attn_impl (str): ``'sdpa'`` or ``'explicit'``. Defaults to ``'sdpa'``.
    """

    def __init__(self,
                 dims: int,
                 num_heads: int,
                 mlp_dims: int,
                 qkv_bias: bool = True,
                 drop: float = 0.0,
                 attn_drop: float = 0.0,
                 drop_path: float = 0.0,
                 init_values: float = 0.0,
                 norm_eps: float = 1e-6,
                 attn_impl: AttentionImpl = 'sdpa') -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dims, eps=norm_eps)
        self.attn = Attention(dims, num_heads, qkv_bias=qkv_bias,
                              attn_drop=attn_drop, proj_drop=drop,
                              impl=attn_impl)
        self.drop_path = DropPath(drop_path)
        self.norm2 = nn.LayerNorm(dims, eps=norm_eps)
        self.mlp = Mlp(dims, mlp_dims, drop=drop)
        if init_values > 0:
            self.gamma_1 = nn.Parameter(init_values * torch.ones(dims))
            self.gamma_2 = nn.Parameter(init_values * torch.ones(dims))
        else:
            self.gamma_1 = None
            self.gamma_2 = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x (Tensor): ``(B, N, D)``. Returns: Tensor ``(B, N, D)``."""
        if self.gamma_1 is None:
            x = x + self.drop_path(self.attn(self.norm1(x)))
            return x + self.drop_path(self.mlp(self.norm2(x)))
        x = x + self.drop_path(self.gamma_1 * self.attn(self.norm1(x)))
        return x + self.drop_path(self.gamma_2 * self.mlp(self.norm2(x)))
