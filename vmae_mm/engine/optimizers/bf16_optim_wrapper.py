"""bfloat16 autocast with fp32 master weights."""
from contextlib import contextmanager

import torch
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper

from vmae_mm.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class BF16OptimWrapper(OptimWrapper):
    """Runs the forward pass under ``torch.autocast(dtype=torch.bfloat16)``
    on the model's device (CUDA or CPU); weights, gradients and optimizer
    state stay float32.

    Unlike mmengine's ``AmpOptimWrapper`` there is no loss scaler: bfloat16
    has float32's exponent range, so gradients do not underflow, and the
    scaler's per-step inf check (a host sync) is avoided. It also runs on a
    CPU, where ``AmpOptimWrapper`` refuses to start.
    """

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        module = model.module if is_model_wrapper(model) else model
        device_type = next(module.parameters()).device.type
        with super().optim_context(model), torch.autocast(
                device_type=device_type, dtype=torch.bfloat16):
            yield
