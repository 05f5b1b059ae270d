"""The VideoMAE pretraining algorithm."""
from typing import Dict, List, Optional, Set, Tuple, Union

import torch
from mmengine.model import BaseModel

from vmae_mm.registry import MASK_GENERATORS, MODELS
from ..data_preprocessors.video_preprocessor import build_data_preprocessor


@MODELS.register_module()
class VideoMAE(BaseModel):
    """Masked video autoencoder (Tong et al., 2022; v2: Wang et al., 2023).

    The mask is drawn outside the backbone: ``mask_generator`` masks the
    encoder's input; an optional ``decoder_mask_generator`` (VideoMAE v2's
    dual masking) picks which tokens the decoder reconstructs.

    Args:
        backbone (dict): Encoder, e.g. ``VisionTransformer3D``.
        neck (dict): Decoder, e.g. ``VideoMAEDecoder``.
        head (dict): Target and loss, e.g. ``VideoMAEPretrainHead``.
        mask_generator (dict): From ``MASK_GENERATORS``, e.g.
            ``dict(type='TubeMasking', mask_ratio=0.9)``.
        decoder_mask_generator (dict, optional): VideoMAE v2's decoder
            masking: the decoder predicts only the tokens this generator
            leaves *unmasked* (e.g. ``RunningCellMasking(0.5)`` keeps half of
            the grid), and the loss counts those of them that the encoder
            did not see. Defaults to None: predict every masked token.
        data_preprocessor (dict, optional): Defaults to
            ``VideoDataPreprocessor``.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 mask_generator: dict,
                 decoder_mask_generator: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=build_data_preprocessor(data_preprocessor),
            init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        if hasattr(self.neck, 'set_num_tokens'):
            grid = self.backbone.grid
            self.neck.set_num_tokens(grid[0] * grid[1] * grid[2])
        self.head = MODELS.build(head)
        self.mask_generator = MASK_GENERATORS.build(mask_generator)
        self.decoder_mask_generator = (
            MASK_GENERATORS.build(decoder_mask_generator)
            if decoder_mask_generator else None)

    def draw_masks(self, inputs: torch.Tensor):
        """Encoder mask and reconstruction targets for a batch.

        Args:
            inputs (Tensor): ``(B, C, T, H, W)``.

        Returns:
            tuple[Tensor, Tensor]: ``mask`` (``True`` = hidden from the
            encoder) and ``target_mask`` (``True`` = predicted by the
            decoder), bool ``(B, N)``, each with a fixed count per row;
            ``target_mask`` is ``mask`` without decoder masking.
        """
        B = inputs.shape[0]
        grid = self.backbone.token_grid(inputs.shape[2:])
        mask = self.mask_generator(B, grid, device=inputs.device)
        if self.decoder_mask_generator is None:
            return mask, mask
        return mask, ~self.decoder_mask_generator(B, grid,
                                                  device=inputs.device)

    def mask_counts(self, inputs: torch.Tensor) -> Tuple[int, int]:
        """Masked and predicted tokens per sample, known from the generators
        without looking at the masks (so no host-device sync)."""
        grid = self.backbone.token_grid(inputs.shape[2:])
        num_masked = self.mask_generator.num_masked(grid)
        if self.decoder_mask_generator is None:
            return num_masked, num_masked
        num_tokens = grid[0] * grid[1] * grid[2]
        return num_masked, (num_tokens -
                            self.decoder_mask_generator.num_masked(grid))

    def reconstruct(self,
                    inputs: torch.Tensor,
                    mask: torch.Tensor,
                    target_mask: Optional[torch.Tensor] = None,
                    num_masked: Optional[int] = None,
                    num_targets: Optional[int] = None) -> torch.Tensor:
        """Decoder predictions for the masked tokens.

        Args:
            inputs (Tensor): Normalized clip ``(B, C, T, H, W)``.
            mask (Tensor): Bool ``(B, N)``, ``True`` = masked.
            target_mask (Tensor, optional): Bool ``(B, N)``, the tokens to
                predict (fixed count per row). Defaults to ``mask``.
            num_masked (int, optional): ``True`` count per row of ``mask``.
            num_targets (int, optional): ``True`` count per row of
                ``target_mask``. With both counts the step runs without
                host-device syncs (see :meth:`mask_counts`).

        Returns:
            Tensor: ``(B, N_tgt, t*p*p*C)`` (``N_tgt = N_masked`` by default)
            in token order, values in the original decoder head's
            ``(t, p, p, c)`` layout.
        """
        latent = self.backbone(inputs, mask, num_masked)  # (B, N_vis, D)
        if target_mask is None or target_mask is mask:
            return self.neck(latent, mask)
        return self.neck(latent, mask, target_mask, num_targets)

    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[list] = None) -> Dict[str, torch.Tensor]:
        """Reconstruction loss of a batch ``(B, C, T, H, W)``."""
        mask, target_mask = self.draw_masks(inputs)
        pred = self.reconstruct(inputs, mask, target_mask,
                                *self.mask_counts(inputs))
        return dict(loss=self.head.loss(pred, inputs, target_mask, mask))

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor') -> Union[Dict[str, torch.Tensor],
                                               torch.Tensor, List]:
        """``mode='loss'`` returns the loss dict; ``'tensor'`` returns the
        predictions for freshly drawn masks ``(B, N_masked, t*p*p*C)``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'tensor':
            mask, target_mask = self.draw_masks(inputs)
            return self.reconstruct(inputs, mask, target_mask,
                                    *self.mask_counts(inputs))
        raise RuntimeError(f'VideoMAE supports modes "loss" and "tensor", '
                           f'got {mode!r}')

    def no_weight_decay(self) -> Set[str]:
        """Full names of parameters exempt from weight decay, as declared by
        the backbone and the neck."""
        names = set()
        for prefix in ('backbone', 'neck'):
            module = getattr(self, prefix)
            if hasattr(module, 'no_weight_decay'):
                names |= {f'{prefix}.{n}' for n in module.no_weight_decay()}
        return names
