"""``torch.compile`` applied where it also works under DDP."""
from typing import Optional, Union

import torch
from mmengine.model import is_model_wrapper
from torch import nn
from torch.nn.parallel import DistributedDataParallel


def compile_model(model: nn.Module, compile_cfg: Union[bool, dict]) -> None:
    """Compile the bare model's training forward in place.

    mmengine's ``compile=True`` compiles the wrapper's ``train_step``. Here
    the inner model's ``loss`` is compiled instead, what ``forward(...,
    mode='loss')`` runs (a model without ``loss``: its ``forward``). The
    optimizer step stays eager, and so do
    validation and testing (``mode='predict'`` / ``'tensor'``), whose other
    shapes (a last partial batch, multi-view testing) would each compile a
    graph of their own. Under DistributedDataParallel it is one
    graph: dynamo's default splits the graph at DDP's gradient buckets to
    overlap the all-reduce, which cost more in lost fusion than it saved
    (ViT-B pretraining, batch 64 per GPU, 2 H200s: 1,203 clips/s per GPU as
    one graph against 973-1,052 split, 1,456 on one GPU; see
    docs/benchmarks.md).

    Args:
        model (nn.Module): The model, possibly wrapped (DDP, FSDP, ...).
        compile_cfg (bool | dict): ``True`` or ``torch.compile`` keyword
            arguments (e.g. ``dict(mode='max-autotune-no-cudagraphs')``).
    """
    if compile_cfg is False or compile_cfg is None:
        return
    options = {} if isinstance(compile_cfg, bool) else dict(compile_cfg)
    bare = model.module if is_model_wrapper(model) else model
    if isinstance(model, DistributedDataParallel):
        torch._dynamo.config.optimize_ddp = False
    name = 'loss' if callable(getattr(bare, 'loss', None)) else 'forward'
    setattr(bare, name, torch.compile(getattr(bare, name), **options))
    preprocessor = getattr(bare, 'data_preprocessor', None)
    if callable(getattr(preprocessor, 'normalize', None)):
        # one elementwise kernel: compiled plainly (a CUDA graph of one
        # kernel saves nothing), for training and evaluation shapes alike
        preprocessor.normalize = torch.compile(preprocessor.normalize)


#: The oldest CUDA compute capability that Triton, and so inductor's GPU
#: kernels, support.
MIN_TRITON_CAPABILITY = (7, 0)


def why_not_compilable() -> Optional[str]:
    """Why ``torch.compile`` cannot compile for this machine's GPU, or None
    when it can (or there is no GPU)."""
    if not torch.cuda.is_available():
        return None
    capability = torch.cuda.get_device_capability()
    if tuple(capability) >= MIN_TRITON_CAPABILITY:
        return None
    return (f'{torch.cuda.get_device_name()} has compute capability '
            f'{capability[0]}.{capability[1]}; Triton needs '
            f'{MIN_TRITON_CAPABILITY[0]}.{MIN_TRITON_CAPABILITY[1]} or newer')
