"""The VideoMAE pretraining decoder."""
from typing import Optional, Set

import torch
from mmengine.model import BaseModule
from torch import nn

from vmae_mm.registry import MODELS
from ..layers.block import Block
from ..layers.drop_path import drop_path_rates
from ..layers.pos_embed import sincos_table
from ..utils.patchify import gather_tokens


@MODELS.register_module()
class VideoMAEDecoder(BaseModule):
    """Light decoder that predicts the pixels of masked tubelets.

    Visible latents are projected by ``encoder_to_decoder`` (no bias), the
    tokens to reconstruct are filled with the learnable ``mask_token``, every
    token gets the fixed sin-cos position of its place in the grid, and a few
    transformer blocks, a LayerNorm and ``decoder_pred`` map the tokens to
    reconstruct onto ``t*p*p*C`` pixel values.

    The tokens to reconstruct are ``target_mask``: every masked token by
    default; with VideoMAE v2's decoder masking, the positions its decoder
    mask leaves open (masked or not); the other tokens never enter the
    decoder, which is what halves its cost.

    Args:
        in_dims (int): Encoder width. Defaults to 768.
        embed_dims (int): Decoder width. Defaults to 384.
        num_layers (int): Decoder blocks. Defaults to 4.
        num_heads (int): Decoder heads. Defaults to 6.
        mlp_ratio (float): MLP width over ``embed_dims``. Defaults to 4.
        out_dims (int): Values predicted per token, ``t*p*p*C``.
            Defaults to 1536 (2x16x16x3).
        qkv_bias (bool): Learn q/v biases. Defaults to True.
        drop_path_rate (float): Stochastic depth. Defaults to 0.
        init_values (float): LayerScale init (0 = off). Defaults to 0.
        norm_eps (float): LayerNorm epsilon. Defaults to 1e-6.
        with_cp (bool): Gradient checkpointing per block. Defaults to False.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 in_dims: int = 768,
                 embed_dims: int = 384,
                 num_layers: int = 4,
                 num_heads: int = 6,
                 mlp_ratio: float = 4.0,
                 out_dims: int = 1536,
                 qkv_bias: bool = True,
                 drop_path_rate: float = 0.0,
                 init_values: float = 0.0,
                 norm_eps: float = 1e-6,
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.embed_dims = embed_dims
        self.with_cp = with_cp
        self.encoder_to_decoder = nn.Linear(in_dims, embed_dims, bias=False)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, embed_dims))
        rates = drop_path_rates(drop_path_rate, num_layers)
        self.blocks = nn.ModuleList([
            Block(embed_dims, num_heads, int(embed_dims * mlp_ratio),
                  qkv_bias=qkv_bias, drop_path=rate, init_values=init_values,
                  norm_eps=norm_eps) for rate in rates
        ])
        self.norm = nn.LayerNorm(embed_dims, eps=norm_eps)
        self.decoder_pred = nn.Linear(embed_dims, out_dims)
        # The table of the model's own token count, set by the algorithm
        # (``set_num_tokens``): a buffer made outside any compiled region, so
        # CUDA graphs never own it; other counts use ``_pos_cache``.
        self.register_buffer('pos_table', None, persistent=False)
        self._pos_cache: dict = {}
        self._no_weight_decay = frozenset(
            name for name, param in self.named_parameters()
            if param.ndim <= 1 or name == 'mask_token')

    def init_weights(self) -> None:
        """The original's init: xavier-uniform linears, zero biases, unit
        norms, ``mask_token`` from a truncated normal (std 0.02)."""
        super().init_weights()
        if self.init_cfg is not None:
            return
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        nn.init.trunc_normal_(self.mask_token, std=0.02)

    def set_num_tokens(self, num_tokens: int) -> None:
        """Build the position table of ``num_tokens`` tokens now, as a
        non-persistent buffer (it moves with the module, and is not saved)."""
        self.pos_table = sincos_table(num_tokens, self.embed_dims)

    def position_table(self, num_tokens: int,
                       device: torch.device) -> torch.Tensor:
        """Fixed sin-cos table ``(1, N, D_dec)``: the buffer for the model's
        own size, else cached per size/device."""
        if self.pos_table is not None and self.pos_table.shape[1] == num_tokens:
            return self.pos_table
        key = (num_tokens, str(device))
        if key not in self._pos_cache:
            self._pos_cache[key] = sincos_table(num_tokens,
                                                self.embed_dims).to(device)
        return self._pos_cache[key]

    def forward(self,
                latent: torch.Tensor,
                mask: torch.Tensor,
                target_mask: Optional[torch.Tensor] = None,
                num_targets: Optional[int] = None) -> torch.Tensor:
        """Predict pixels of the tokens to reconstruct.

        Args:
            latent (Tensor): Encoded visible tokens, ``(B, N_vis, D_enc)``.
            mask (Tensor): Bool ``(B, N)``, ``True`` = masked for the encoder.
            target_mask (Tensor, optional): Bool ``(B, N)``, the tokens to
                reconstruct, a fixed count per row. Defaults to ``mask``.
            num_targets (int, optional): Tokens to reconstruct per row, when
                ``target_mask`` is given and the count is known: with it (and
                by default) every gather is free of host-device syncs.

        Returns:
            Tensor: ``(B, N_tgt, out_dims)``, in token order.
        """
        num_tokens, num_visible = mask.shape[1], latent.shape[1]
        if target_mask is None:
            target_mask, num_targets = mask, num_tokens - num_visible
        x_vis = self.encoder_to_decoder(latent)  # (B, N_vis, D_dec)
        pos = self.position_table(num_tokens, x_vis.device).to(x_vis.dtype)
        pos_vis = gather_tokens(pos, ~mask, num_visible)  # (B, N_vis, D_dec)
        pos_tgt = gather_tokens(pos, target_mask,
                                num_targets)  # (B, N_tgt, D_dec)
        num_targets = pos_tgt.shape[1]
        x = torch.cat([x_vis + pos_vis, self.mask_token.to(x_vis.dtype) + pos_tgt],
                      dim=1)  # (B, N_vis + N_tgt, D_dec)
        for block in self.blocks:
            if self.with_cp and x.requires_grad:
                x = torch.utils.checkpoint.checkpoint(
                    block, x, use_reentrant=False)
            else:
                x = block(x)
        x = self.norm(x[:, -num_targets:])  # (B, N_tgt, D_dec)
        return self.decoder_pred(x)  # (B, N_tgt, out_dims)

    def no_weight_decay(self) -> Set[str]:
        """1-D parameters and ``mask_token`` (the original's rule), decided
        from the shapes at construction (FSDP flattens parameters later)."""
        return set(self._no_weight_decay)
