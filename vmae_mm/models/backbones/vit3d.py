"""The VideoMAE encoder: a plain ViT over tubelet tokens."""
from typing import Dict, Literal, Optional, Sequence, Set, Tuple, Union

import torch
from mmengine.model import BaseModule
from torch import nn
from torch.utils.checkpoint import checkpoint

from vmae_mm.registry import MODELS
from ..layers.attention import AttentionImpl
from ..layers.block import Block
from ..layers.patch_embed import TubeletEmbed
from ..layers.pos_embed import interpolate_pos_embed, sincos_table
from ..utils.patchify import gather_tokens, token_grid

ARCH_KEYS = ('embed_dims', 'num_layers', 'num_heads', 'mlp_dims')


def _arch(dims: int, layers: int, heads: int, mlp: int,
          patch_size: int = 16) -> Dict[str, int]:
    return dict(embed_dims=dims, num_layers=layers, num_heads=heads,
                mlp_dims=mlp, patch_size=patch_size)


@MODELS.register_module()
class VisionTransformer3D(BaseModule):
    """ViT over space-time tubelets with joint attention (VideoMAE).

    The mask comes from outside: ``forward(video, mask)`` embeds and encodes
    only the visible tokens (``mask`` is ``True`` where masked). With
    ``out_type='avg_featmap'`` (finetuning) the tokens are mean-pooled and
    passed through ``fc_norm``, as in the original finetuning model.

    Args:
        arch (str | dict): A key of :attr:`arch_zoo` (``'s'``, ``'base'``, ...)
            or a dict with ``embed_dims``, ``num_layers``, ``num_heads``,
            ``mlp_dims`` and optionally ``patch_size``. Defaults to ``'base'``.
        img_size (int): Input height and width. Defaults to 224.
        num_frames (int): Input frames. Defaults to 16.
        tubelet_size (int): Frames per tubelet. Defaults to 2.
        patch_size (int, optional): Overrides the arch's patch size.
        in_channels (int): Input channels. Defaults to 3.
        qkv_bias (bool): Learn q/v biases. Defaults to True.
        drop_rate (float): Dropout after projections. Defaults to 0.
        attn_drop_rate (float): Attention dropout. Defaults to 0.
        drop_path_rate (float): Stochastic depth, linearly increasing over
            blocks up to this rate. Defaults to 0.
        init_values (float): LayerScale init (0 = off). Defaults to 0.
        norm_eps (float): LayerNorm epsilon. Defaults to 1e-6.
        pos_embed (str): ``'sincos'`` (fixed, not saved, the original's
            default) or ``'learnable'`` (a parameter initialized with the
            sin-cos table). Defaults to ``'sincos'``.
        out_type (str): ``'tokens'`` returns normed tokens ``(B, N, D)``;
            ``'avg_featmap'`` returns ``fc_norm(mean(tokens))`` ``(B, D)``.
            Defaults to ``'tokens'``.
        with_cp (bool): Gradient checkpointing per block. Defaults to False.
        attn_impl (str): ``'sdpa'`` or ``'explicit'``. Defaults to ``'sdpa'``.
        init_cfg (dict, optional): mmengine init config.
    """

    arch_zoo: Dict[str, Dict[str, int]] = {
        **dict.fromkeys(['t', 'tiny'], _arch(192, 4, 3, 768)),
        **dict.fromkeys(['s', 'small'], _arch(384, 12, 6, 1536)),
        **dict.fromkeys(['b', 'base'], _arch(768, 12, 12, 3072)),
        **dict.fromkeys(['l', 'large'], _arch(1024, 24, 16, 4096)),
        **dict.fromkeys(['h', 'huge'], _arch(1280, 32, 16, 5120)),
        **dict.fromkeys(['g', 'giant'], _arch(1408, 40, 16, 6144, 14)),
    }

    def __init__(self,
                 arch: Union[str, Dict[str, int]] = 'base',
                 img_size: int = 224,
                 num_frames: int = 16,
                 tubelet_size: int = 2,
                 patch_size: Optional[int] = None,
                 in_channels: int = 3,
                 qkv_bias: bool = True,
                 drop_rate: float = 0.0,
                 attn_drop_rate: float = 0.0,
                 drop_path_rate: float = 0.0,
                 init_values: float = 0.0,
                 norm_eps: float = 1e-6,
                 pos_embed: Literal['sincos', 'learnable'] = 'sincos',
                 out_type: Literal['tokens', 'avg_featmap'] = 'tokens',
                 with_cp: bool = False,
                 attn_impl: AttentionImpl = 'sdpa',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch_settings = self._resolve_arch(arch)
        if out_type not in ('tokens', 'avg_featmap'):
            raise ValueError(f"out_type must be 'tokens' or 'avg_featmap', "
                             f'got {out_type!r}')
        if pos_embed not in ('sincos', 'learnable'):
            raise ValueError(f"pos_embed must be 'sincos' or 'learnable', "
                             f'got {pos_embed!r}')
        self.embed_dims = self.arch_settings['embed_dims']
        self.num_layers = self.arch_settings['num_layers']
        self.patch_size = patch_size or self.arch_settings['patch_size']
        self.tubelet_size = tubelet_size
        self.out_type = out_type
        self.with_cp = with_cp
        self.grid = token_grid((num_frames, img_size, img_size), tubelet_size,
                               self.patch_size)
        num_tokens = self.grid[0] * self.grid[1] * self.grid[2]

        self.patch_embed = TubeletEmbed(in_channels, self.embed_dims,
                                        tubelet_size, self.patch_size)
        self.pos_embed_type = pos_embed
        if pos_embed == 'learnable':
            self.pos_embed = nn.Parameter(
                sincos_table(num_tokens, self.embed_dims))
        else:
            # Fixed, as in the original: not part of the state dict.
            self.register_buffer(
                'pos_embed', sincos_table(num_tokens, self.embed_dims),
                persistent=False)
        self.pos_drop = nn.Dropout(drop_rate)

        rates = torch.linspace(0, drop_path_rate, self.num_layers).tolist()
        self.blocks = nn.ModuleList([
            Block(self.embed_dims, self.arch_settings['num_heads'],
                  self.arch_settings['mlp_dims'], qkv_bias=qkv_bias,
                  drop=drop_rate, attn_drop=attn_drop_rate,
                  drop_path=rate, init_values=init_values,
                  norm_eps=norm_eps, attn_impl=attn_impl) for rate in rates
        ])
        if out_type == 'tokens':
            self.norm = nn.LayerNorm(self.embed_dims, eps=norm_eps)
            self.fc_norm = None
        else:
            self.norm = None
            self.fc_norm = nn.LayerNorm(self.embed_dims, eps=norm_eps)

    @classmethod
    def _resolve_arch(cls, arch: Union[str, Dict[str, int]]) -> Dict[str, int]:
        if isinstance(arch, str):
            key = arch.lower()
            if key not in cls.arch_zoo:
                raise KeyError(f'unknown arch {arch!r}; choose one of '
                               f'{sorted(set(cls.arch_zoo))} or pass a dict')
            return dict(cls.arch_zoo[key])
        missing = [key for key in ARCH_KEYS if key not in arch]
        if missing:
            raise KeyError(f'custom arch is missing {missing}; it needs '
                           f'{list(ARCH_KEYS)}')
        return dict(dict(patch_size=16), **arch)

    def init_weights(self) -> None:
        """The original's init: xavier-uniform linears with zero bias, unit
        LayerNorms; the Conv3d keeps PyTorch's default. A pretrained
        ``init_cfg`` overrides this."""
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

    def token_grid(self, video_shape: Sequence[int]) -> Tuple[int, int, int]:
        """Token grid ``(T', H', W')`` of a ``(T, H, W)`` clip."""
        return token_grid(video_shape, self.tubelet_size, self.patch_size)

    def position_table(self, grid: Sequence[int]) -> torch.Tensor:
        """The position table for ``grid``, ``(1, N, D)``.

        The fixed table is regenerated for the grid's token count, exactly as
        the original builds it for any input size; a learnable table is
        interpolated from the grid it was trained at.
        """
        grid = tuple(grid)
        if grid == self.grid:
            return self.pos_embed
        if self.pos_embed_type == 'sincos':
            num_tokens = grid[0] * grid[1] * grid[2]
            return sincos_table(num_tokens, self.embed_dims).to(
                self.pos_embed.device)
        return interpolate_pos_embed(self.pos_embed, self.grid, grid)

    def forward(self,
                video: torch.Tensor,
                mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Encode a clip.

        Args:
            video (Tensor): Normalized clip, ``(B, C, T, H, W)``.
            mask (Tensor, optional): Bool ``(B, N)``, ``True`` = masked, the
                same count in every row. None encodes every token.

        Returns:
            Tensor: ``(B, N_vis, D)`` normed tokens for ``out_type='tokens'``,
            or ``(B, D)`` pooled features for ``'avg_featmap'``.
        """
        grid = self.token_grid(video.shape[2:])
        pos = self.position_table(grid).to(video.dtype)  # (1, N, D)
        if mask is None:
            x = self.patch_embed(video) + pos  # (B, N, D)
        else:
            keep = ~mask
            x = self.patch_embed(video, keep) + gather_tokens(pos, keep)
        x = self.pos_drop(x)  # (B, N_vis, D)
        for block in self.blocks:
            if self.with_cp and x.requires_grad:
                x = checkpoint(block, x, use_reentrant=False)
            else:
                x = block(x)
        if self.out_type == 'tokens':
            return self.norm(x)
        return self.fc_norm(x.mean(dim=1))  # (B, D)

    def no_weight_decay(self) -> Set[str]:
        """Names of parameters exempt from weight decay: biases, norms,
        q/v biases, LayerScale and the position table (the original's rule:
        every 1-D parameter, plus ``pos_embed``)."""
        return {
            name
            for name, param in self.named_parameters()
            if param.ndim <= 1 or name == 'pos_embed'
        }

    def get_layer_id(self, param_name: str) -> int:
        """Layer index for layer-wise lr decay: embeddings 0, block i -> i+1,
        everything after the blocks ``num_layers + 1``.

        Args:
            param_name (str): Name relative to this backbone.
        """
        if param_name.startswith(('patch_embed', 'pos_embed')):
            return 0
        if param_name.startswith('blocks.'):
            return int(param_name.split('.')[1]) + 1
        return self.num_layers + 1
