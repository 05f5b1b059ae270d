"""Parameter groups: weight-decay exemptions and layer-wise lr decay."""
from collections import defaultdict
from typing import Dict, List, Optional, Set, Tuple

import torch
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper

from vmae_mm.registry import (OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS,
                              OPTIMIZERS)


#: Module names that wrappers (FSDP, activation checkpointing) insert.
_WRAPPER_PARTS = ('_fsdp_wrapped_module.', '_checkpoint_wrapped_module.')


def _original_name(name: str) -> str:
    """A parameter's name in the unwrapped model."""
    for part in _WRAPPER_PARTS:
        name = name.replace(part, '')
    return name


def _fusable(optimizer_cfg: dict, model: torch.nn.Module) -> bool:
    """Adam or AdamW, on CUDA, with no kernel choice in the config."""
    kind = optimizer_cfg['type']
    if isinstance(kind, str):
        kind = OPTIMIZERS.get(kind)
    if not (isinstance(kind, type) and issubclass(kind, torch.optim.Adam)):
        return False
    if 'fused' in optimizer_cfg or 'foreach' in optimizer_cfg:
        return False
    return all(p.device.type == 'cuda' for p in model.parameters())


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class VideoMAEOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Builds VideoMAE's parameter groups.

    The model declares the parameters exempt from weight decay through
    ``no_weight_decay()`` (full parameter names); nothing is guessed from
    names here. With ``paramwise_cfg=dict(layer_decay_rate=r)`` every
    parameter's lr is scaled by ``r ** (depth + 1 - layer_id)``, where the
    model's ``get_layer_id(name)`` gives the id (embedding 0, block i ->
    i + 1, head ``depth + 1``) and ``get_num_layers()`` the depth, as in
    BEiT/VideoMAE finetuning (the head keeps the full lr even when it is
    frozen). The groups are logged once.

    Each group carries ``lr_scale`` and ``layer_id``. The lr written into a
    group is the scaled one, so mmengine's machinery keeps the ratios:
    ``auto_scale_lr`` multiplies every group's lr by the same batch factor,
    and the param schedulers scale each group's own ``initial_lr``
    (``LinearLR`` warm-up, ``CosineAnnealingLR`` with ``eta_min_ratio``
    ending every group at its own scaled minimum, as the original's
    ``lr_schedule * lr_scale``).

    Adam and AdamW get ``fused=True`` when the model is on a GPU and the
    config names neither ``fused`` nor ``foreach``: one kernel per parameter
    group instead of a dozen, and a skipped non-finite step never waits for
    the host (:mod:`vmae_mm.engine.nonfinite_guard`).

    Args:
        optim_wrapper_cfg (dict): The ``optim_wrapper`` config.
        paramwise_cfg (dict, optional): ``layer_decay_rate`` (float).
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        paramwise_cfg = dict(paramwise_cfg or {})
        self.layer_decay_rate = paramwise_cfg.pop('layer_decay_rate', None)
        if paramwise_cfg:
            raise KeyError(f'unknown paramwise_cfg keys {sorted(paramwise_cfg)}'
                           '; VideoMAEOptimWrapperConstructor takes '
                           "'layer_decay_rate'")
        super().__init__(optim_wrapper_cfg, None)

    def _groups(self, model: torch.nn.Module) -> List[dict]:
        no_decay: Set[str] = (model.no_weight_decay() if hasattr(
            model, 'no_weight_decay') else set())
        if self.layer_decay_rate is not None and not hasattr(
                model, 'get_layer_id'):
            raise TypeError(f'layer_decay_rate needs {type(model).__name__}'
                            '.get_layer_id(name)')
        params = [(_original_name(n), p)
                  for n, p in model.named_parameters() if p.requires_grad]
        layer_ids = {n: model.get_layer_id(n) for n, _ in params
                     } if self.layer_decay_rate is not None else {}
        if hasattr(model, 'get_num_layers'):
            max_id = model.get_num_layers() + 1  # the head's id
        else:
            max_id = max(layer_ids.values(), default=0)
        if any(i < 0 or i > max_id for i in layer_ids.values()):
            raise ValueError(f'layer ids must lie in [0, {max_id}], got '
                             f'{sorted(set(layer_ids.values()))}')
        buckets: Dict[Tuple[int, bool], List[torch.nn.Parameter]] = \
            defaultdict(list)
        for name, param in params:
            buckets[(layer_ids.get(name, 0), name in no_decay)].append(param)
        groups = []
        for (layer_id, exempt), members in sorted(buckets.items()):
            scale = (self.layer_decay_rate**(max_id - layer_id)
                     if self.layer_decay_rate is not None else 1.0)
            groups.append(
                dict(params=members,
                     lr=self.base_lr * scale,
                     weight_decay=0.0 if exempt else self.base_wd,
                     lr_scale=scale,
                     layer_id=layer_id))
        return groups

    def __call__(self, model: torch.nn.Module) -> OptimWrapper:
        if is_model_wrapper(model):
            model = model.module
        optimizer_cfg = dict(self.optimizer_cfg)
        optimizer_cfg['params'] = self._groups(model)
        if _fusable(optimizer_cfg, model):
            optimizer_cfg['fused'] = True
        optimizer = OPTIMIZERS.build(optimizer_cfg)
        logger = MMLogger.get_current_instance()
        logger.info('param groups (lr before auto_scale_lr and the '
                    'schedulers, which keep these ratios):')
        if optimizer_cfg.get('fused'):
            logger.info('optimizer: fused kernels')
        for group in optimizer.param_groups:
            logger.info(
                f"param group: layer {group['layer_id']:>2d}  lr "
                f"{group['lr']:.3e} (x{group['lr_scale']:.4f})  weight decay "
                f"{group['weight_decay']}  {len(group['params'])} tensors, "
                f"{sum(p.numel() for p in group['params']):,} values")
        return OPTIM_WRAPPERS.build(self.optim_wrapper_cfg,
                                    default_args=dict(optimizer=optimizer))
