"""The VideoMAE encoder: a plain ViT over tubelet tokens."""
import logging
from typing import Dict, Literal, Optional, Sequence, Set, Tuple, Union

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule
from torch import nn
from torch.utils.checkpoint import checkpoint

from vmae_mm.registry import MODELS
from ..layers.attention import AttentionImpl
from ..layers.block import Block
from ..layers.drop_path import drop_path_rates
from ..layers.patch_embed import TubeletEmbed
from ..layers.pos_embed import sincos_table
from ..utils.patchify import gather_tokens, token_grid
from ..utils.pos_embed_resize import infer_grid, resize_pos_embed

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

    Position tables at another grid:

    * fixed sin-cos (``pos_embed='sincos'``): by default the 1-D table is
      regenerated for the grid's token count, as VideoMAE v1 and
      transformers do; with ``sincos_grid`` set, the table of that grid is
      resized to the model's grid instead, as VideoMAE v2 finetunes at
      another resolution or frame count.
    * learnable: a checkpoint table of another length is resized on load
      (bicubic in space, linear in time, the official finetuning's rule);
      inputs at another grid than the model's resize the table on the fly.

    A checkpoint that stores a ``pos_embed`` (mmaction2 saves its fixed table)
    loaded into a fixed-table backbone: if it is the sin-cos table it is
    dropped with a log line (nothing is lost); any other table raises a
    ``ValueError``, as dropping learned positions would change the model.

    ``init_cfg=dict(type='Pretrained', checkpoint=PATH, prefix='backbone.')``
    (a dict, not inside a list) is served by vmae_mm's loader, not
    mmengine's (which loads non-strictly and only warns): the file may be an
    official, transformers, mmaction2 or vmae_mm checkpoint, the encoder's
    ``norm`` is dropped when this backbone pools into ``fc_norm`` (which
    starts fresh), and every other key must match: unknown or missing keys
    and shape mismatches are errors.

    Args:
        arch (str | dict): A key of :attr:`arch_zoo` (``'s'``, ``'base'``, ...)
            or a dict with ``embed_dims``, ``num_layers``, ``num_heads``,
            ``mlp_dims`` and optionally ``patch_size``. Defaults to ``'base'``.
        img_size (int): Input height and width. Defaults to 224.
        num_frames (int): Input frames. Defaults to 16.
        tubelet_size (int): Frames per tubelet. Defaults to 2.
        patch_size (int, optional): Overrides the arch's patch size.
            Defaults to None.
        in_channels (int): Input channels. Defaults to 3.
        qkv_bias (bool): Learn q/v biases. Defaults to True.
        drop_rate (float): Dropout after projections. Defaults to 0.
        attn_drop_rate (float): Attention dropout. Defaults to 0.
        drop_path_rate (float): Stochastic depth, linearly increasing over
            blocks from 0 up to this rate. Defaults to 0.
        init_values (float): LayerScale init (``gamma_1``/``gamma_2``);
            0 disables LayerScale. Defaults to 0.
        norm_eps (float): LayerNorm epsilon. Defaults to 1e-6.
        pos_embed (str): ``'sincos'`` (fixed, not saved, the original's
            default) or ``'learnable'`` (a parameter, truncated-normal init
            with std 0.02 as in the original). Defaults to ``'sincos'``.
        sincos_grid (Sequence[int], optional): Grid ``(T', H', W')`` whose
            sin-cos table is resized to the input's grid (VideoMAE v2's
            finetuning at another size, e.g. ``(8, 14, 14)`` for 16x224
            pretraining). Defaults to None: regenerate the table.
        out_type (str): ``'tokens'`` returns normed tokens ``(B, N, D)``;
            ``'avg_featmap'`` returns ``fc_norm(mean(tokens))`` ``(B, D)``.
            Defaults to ``'tokens'``.
        with_cp (bool): Gradient checkpointing per block. Defaults to False.
        attn_impl (str): ``'sdpa'`` or ``'explicit'``. Defaults to ``'sdpa'``.
        init_cfg (dict, optional): mmengine init config; ``'Pretrained'`` is
            handled as described above. Defaults to None.
    """

    arch_zoo: Dict[str, Dict[str, int]] = {
        **dict.fromkeys(['t', 'tiny'], _arch(192, 4, 3, 768)),
        **dict.fromkeys(['s', 'small'], _arch(384, 12, 6, 1536)),
        **dict.fromkeys(['b', 'base'], _arch(768, 12, 12, 3072)),
        **dict.fromkeys(['l', 'large'], _arch(1024, 24, 16, 4096)),
        **dict.fromkeys(['h', 'huge'], _arch(1280, 32, 16, 5120)),
        # VideoMAE v2: mlp_ratio 48/11 -> 6144, patch 14.
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
                 sincos_grid: Optional[Sequence[int]] = None,
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
        if sincos_grid is not None and pos_embed != 'sincos':
            raise ValueError("sincos_grid applies to pos_embed='sincos' only")
        self.embed_dims = self.arch_settings['embed_dims']
        self.num_layers = self.arch_settings['num_layers']
        self.num_heads = self.arch_settings['num_heads']
        self.patch_size = patch_size or self.arch_settings['patch_size']
        self.tubelet_size = tubelet_size
        self.out_type = out_type
        self.with_cp = with_cp
        self.grid = token_grid((num_frames, img_size, img_size), tubelet_size,
                               self.patch_size)
        self.sincos_grid = tuple(sincos_grid) if sincos_grid else None
        self._table_cache: Dict[tuple, torch.Tensor] = {}

        self.patch_embed = TubeletEmbed(in_channels, self.embed_dims,
                                        tubelet_size, self.patch_size)
        self.pos_embed_type = pos_embed
        table = self._sincos_for(self.grid)
        if pos_embed == 'learnable':
            self.pos_embed = nn.Parameter(table)
        else:
            # Fixed, as in the original: not part of the state dict.
            self.register_buffer('pos_embed', table, persistent=False)
        self.pos_drop = nn.Dropout(drop_rate)

        rates = drop_path_rates(drop_path_rate, self.num_layers)
        self.blocks = nn.ModuleList([
            Block(self.embed_dims, self.num_heads,
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
        self._no_weight_decay = frozenset(
            name for name, param in self.named_parameters()
            if param.ndim <= 1 or name == 'pos_embed')

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

    def _is_pretrained_cfg(self) -> bool:
        return (isinstance(self.init_cfg, dict)
                and self.init_cfg.get('type') == 'Pretrained')

    def init_weights(self) -> None:
        """The original's init: xavier-uniform linears with zero bias, unit
        LayerNorms, a learnable position table from a truncated normal (std
        0.02); the Conv3d keeps PyTorch's default. Another ``init_cfg``
        replaces this; ``'Pretrained'`` loads through vmae_mm's loader after
        the default init (so ``fc_norm`` starts as a unit LayerNorm)."""
        if self.init_cfg is not None and not self._is_pretrained_cfg():
            super().init_weights()
            return
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        if self.pos_embed_type == 'learnable':
            nn.init.trunc_normal_(self.pos_embed, std=0.02)
        if self._is_pretrained_cfg():
            # Imported here: the loader imports the converters, which know
            # this class's key names.
            from ..utils.checkpoint_loading import load_checkpoint
            load_checkpoint(self, self.init_cfg['checkpoint'],
                            prefix=self.init_cfg.get('prefix', 'backbone.'))
        self._is_init = True

    def token_grid(self, video_shape: Sequence[int]) -> Tuple[int, int, int]:
        """Token grid ``(T', H', W')`` of a ``(T, H, W)`` clip."""
        return token_grid(video_shape, self.tubelet_size, self.patch_size)

    def _sincos_for(self, grid: Sequence[int]) -> torch.Tensor:
        """The fixed table for ``grid``, ``(1, N, D)``: regenerated, or
        resized from ``sincos_grid``."""
        grid = tuple(grid)
        if self.sincos_grid is None:
            return sincos_table(grid[0] * grid[1] * grid[2], self.embed_dims)
        src = self.sincos_grid
        table = sincos_table(src[0] * src[1] * src[2], self.embed_dims)
        return resize_pos_embed(table, src, grid)

    def position_table(self, grid: Sequence[int]) -> torch.Tensor:
        """The position table for ``grid``, ``(1, N, D)``.

        The model's own grid returns ``pos_embed``. Another grid gets the
        fixed table built for it (see the class docstring; cached per grid
        and device) or the learnable table resized to it.
        """
        grid = tuple(grid)
        if grid == self.grid:
            return self.pos_embed
        if self.pos_embed_type == 'learnable':
            return resize_pos_embed(self.pos_embed, self.grid, grid)
        key = (grid, str(self.pos_embed.device))
        if key not in self._table_cache:
            self._table_cache[key] = self._sincos_for(grid).to(
                self.pos_embed.device)
        return self._table_cache[key]

    def _load_from_state_dict(self, state_dict: dict, prefix: str, *args,
                              **kwargs) -> None:
        """Adapts a checkpoint's ``pos_embed`` before the default loading:
        resizes a learnable table of another grid, drops a fixed sin-cos
        table, rejects a learned table for a fixed-table model."""
        key = prefix + 'pos_embed'
        if key in state_dict:
            table = state_dict[key]
            if table.ndim == 2:
                table = table[None]  # (1, N, D)
            if table.ndim != 3 or table.shape[-1] != self.embed_dims:
                raise ValueError(
                    f'{key}: checkpoint shape {tuple(state_dict[key].shape)} '
                    f'does not fit a (1, N, {self.embed_dims}) table')
            if self.pos_embed_type == 'learnable':
                state_dict[key] = self._resized_checkpoint_table(key, table)
            else:
                self._drop_fixed_table(state_dict, key, table)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _resized_checkpoint_table(self, key: str,
                                  table: torch.Tensor) -> torch.Tensor:
        num_tokens = self.grid[0] * self.grid[1] * self.grid[2]
        if table.shape[1] == num_tokens:
            return table
        src = infer_grid(table.shape[1], self.grid)
        print_log(f'{key}: resizing the position table from grid {src} to '
                  f'{self.grid}', logger='current', level=logging.INFO)
        return resize_pos_embed(table, src, self.grid)

    def _drop_fixed_table(self, state_dict: dict, key: str,
                          table: torch.Tensor) -> None:
        reference = sincos_table(table.shape[1], self.embed_dims)
        if not torch.allclose(table.float().cpu(), reference, atol=1e-4):
            raise ValueError(
                f'{key}: the checkpoint holds a learned position table but '
                f"this backbone uses the fixed sin-cos table; build it with "
                f"pos_embed='learnable' to keep the learned positions")
        print_log(f'{key}: dropped; it is the fixed sin-cos table that this '
                  f'backbone builds itself', logger='current',
                  level=logging.INFO)
        del state_dict[key]

    def forward(self,
                video: torch.Tensor,
                mask: Optional[torch.Tensor] = None,
                num_masked: Optional[int] = None) -> torch.Tensor:
        """Encode a clip.

        Args:
            video (Tensor): Normalized clip, ``(B, C, T, H, W)``.
            mask (Tensor, optional): Bool ``(B, N)``, ``True`` = masked, the
                same count in every row. None encodes every token.
            num_masked (int, optional): Masked tokens per row, when known
                (the mask generator's ``num_masked``): the visible tokens are
                then gathered without a host-device sync.

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
            count = None if num_masked is None else mask.shape[1] - num_masked
            x = (self.patch_embed(video, keep, count) +
                 gather_tokens(pos, keep, count))
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
        every 1-D parameter, plus ``pos_embed``). Decided from the shapes at
        construction, so the answer holds after FSDP flattens parameters."""
        return set(self._no_weight_decay)

    def get_layer_id(self, param_name: str) -> int:
        """Layer index for layer-wise lr decay, the original's rule:
        embeddings 0, block i -> i+1, everything after the blocks
        ``num_layers + 1``.

        Args:
            param_name (str): Name relative to this backbone.

        Returns:
            int: In ``[0, num_layers + 1]``.
        """
        if param_name.startswith(('patch_embed', 'pos_embed')):
            return 0
        if param_name.startswith('blocks.'):
            return int(param_name.split('.')[1]) + 1
        return self.num_layers + 1
