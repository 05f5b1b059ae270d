"""How DistributedDataParallel all-reduces the gradients.

``ddp_comm_hook`` (a top-level config key, default ``None``: fp32 buckets)
selects one of torch's built-in communication hooks:

- ``'bf16'``: gradients are cast to bfloat16 for the all-reduce and back,
  halving the bytes on the wire (torch's ``bf16_compress_hook``);
- ``'fp16'``: the same in float16 (``fp16_compress_hook``).

The averaged gradient then carries 8 (bf16) or 11 (fp16) significant bits;
the optimizer's master weights and states stay fp32.
"""
from typing import Callable, Dict, Optional

import torch.distributed as dist
from mmengine.model import is_model_wrapper
from torch import nn
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks
from torch.nn.parallel import DistributedDataParallel

COMM_HOOKS: Dict[str, Callable] = {
    'bf16': default_hooks.bf16_compress_hook,
    'fp16': default_hooks.fp16_compress_hook,
}


def check_comm_hook_name(name: Optional[str]) -> None:
    """Raise a one-line error for an unknown ``ddp_comm_hook`` value."""
    if name is not None and name not in COMM_HOOKS:
        raise ValueError(f'ddp_comm_hook={name!r} is not one of '
                         f'{sorted(COMM_HOOKS)} (or None for fp32)')


def register_comm_hook(model: nn.Module, name: Optional[str]) -> bool:
    """Register the named hook on ``model`` if it is (or wraps) a DDP model.

    Returns:
        bool: Whether a hook was registered (``False`` for ``None`` or a
        model that is not data parallel, e.g. a single-process run).
    """
    check_comm_hook_name(name)
    if name is None:
        return False
    ddp = model
    while not isinstance(ddp, DistributedDataParallel):
        if not is_model_wrapper(ddp) or not hasattr(ddp, 'module'):
            return False
        ddp = ddp.module
    if name == 'bf16' and dist.get_backend() != 'nccl':
        raise ValueError(f"ddp_comm_hook='bf16' needs the NCCL backend "
                         f"(this run uses {dist.get_backend()}); use 'fp16' "
                         f'or None')
    ddp.register_comm_hook(None, COMM_HOOKS[name])
    return True
