"""VideoMAEOptimWrapperConstructor picks fused Adam/AdamW kernels on CUDA
unless the config chose a kernel itself."""
from types import SimpleNamespace

import pytest
import torch

from vmae_mm.engine.optimizers.constructor import _fusable


def _model_on(device_type):
    param = SimpleNamespace(device=SimpleNamespace(type=device_type))
    return SimpleNamespace(parameters=lambda: iter([param, param]))


@pytest.mark.parametrize('cfg, device, fused', [
    (dict(type='AdamW'), 'cuda', True),
    (dict(type='Adam'), 'cuda', True),
    (dict(type=torch.optim.AdamW), 'cuda', True),
    (dict(type='AdamW'), 'cpu', False),
    (dict(type='AdamW', foreach=True), 'cuda', False),
    (dict(type='AdamW', fused=False), 'cuda', False),
    (dict(type='SGD'), 'cuda', False),
])
def test_fused_only_for_adam_on_cuda_without_a_kernel_choice(cfg, device,
                                                            fused):
    assert _fusable(cfg, _model_on(device)) is fused
