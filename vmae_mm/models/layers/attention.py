"""Multi-head self-attention with the original's q/v biases."""
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

AttentionImpl = Literal['sdpa', 'explicit']


class Attention(nn.Module):
    """Joint space-time self-attention.

    The qkv projection has no bias tensor of its own: as in VideoMAE, a
    learnable ``q_bias`` and ``v_bias`` are used and the key bias is zero.
    ``impl='sdpa'`` runs ``F.scaled_dot_product_attention`` (flash or
    memory-efficient kernels, no attention matrix in memory);
    ``impl='explicit'`` computes ``softmax(q k^T / sqrt(d)) v`` step by step and
    is kept as the reference that the SDPA path is tested against.

    Args:
        dims (int): Token width D.
        num_heads (int): Number of heads.
        qkv_bias (bool): Learn ``q_bias`` and ``v_bias``. Defaults to True.
        head_dims (int, optional): Per-head width; ``dims // num_heads`` when
            None. Defaults to None.
        attn_drop (float): Dropout on attention weights. Defaults to 0.
        proj_drop (float): Dropout after the output projection. Defaults to 0.
        impl (str): ``'sdpa'`` or ``'explicit'``. Defaults to ``'sdpa'``.
    """

    def __init__(self,
                 dims: int,
                 num_heads: int,
                 qkv_bias: bool = True,
                 head_dims: int = None,
                 attn_drop: float = 0.0,
                 proj_drop: float = 0.0,
                 impl: AttentionImpl = 'sdpa') -> None:
        super().__init__()
        if impl not in ('sdpa', 'explicit'):
            raise ValueError(f"attention impl must be 'sdpa' or 'explicit', "
                             f'got {impl!r}')
        self.num_heads = num_heads
        self.head_dims = head_dims or dims // num_heads
        inner_dims = self.head_dims * num_heads
        self.scale = self.head_dims**-0.5
        self.impl = impl
        self.attn_drop = attn_drop
        self.qkv = nn.Linear(dims, inner_dims * 3, bias=False)
        if qkv_bias:
            self.q_bias = nn.Parameter(torch.zeros(inner_dims))
            self.v_bias = nn.Parameter(torch.zeros(inner_dims))
        else:
            self.q_bias = None
            self.v_bias = None
        self.proj = nn.Linear(inner_dims, dims)
        self.proj_drop = nn.Dropout(proj_drop)

    def _qkv_bias(self) -> torch.Tensor:
        if self.q_bias is None:
            return None
        return torch.cat((self.q_bias, torch.zeros_like(self.v_bias),
                          self.v_bias))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Attend over all tokens.

        Args:
            x (Tensor): Tokens, shape ``(B, N, D)``.

        Returns:
            Tensor: Shape ``(B, N, D)``.
        """
        B, N, _ = x.shape
        qkv = F.linear(x, self.qkv.weight, self._qkv_bias())  # (B, N, 3*H*d)
        qkv = qkv.reshape(B, N, 3, self.num_heads, self.head_dims)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B, H, N, d)
        dropout = self.attn_drop if self.training else 0.0
        if self.impl == 'sdpa':
            out = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout)
        else:
            attn = (q * self.scale) @ k.transpose(-2, -1)  # (B, H, N, N)
            attn = F.dropout(attn.softmax(dim=-1), dropout, self.training)
            out = attn @ v  # (B, H, N, d)
        out = out.transpose(1, 2).reshape(B, N, -1)  # (B, N, H*d)
        return self.proj_drop(self.proj(out))
