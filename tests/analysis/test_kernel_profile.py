"""Kernel kinds by name, and a profiled step's time grouped by them."""
import gzip
import json
from types import SimpleNamespace

import pytest
import torch

from vmae_mm.analysis.kernel_profile import (is_device_kernel, kernel_kind,
                                             profile_step)


@pytest.mark.parametrize('name, kind', [
    ('sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64', 'matmul'),
    ('nvjet_hsh_256x128_64x4_2x1_v_bz_coopB_TNT', 'matmul'),
    ('void pytorch_flash::flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel<>',
     'attention'),
    ('cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16',
     'attention'),
    ('triton_poi_fused__to_copy_add_mul_0', 'fused elementwise'),
    ('triton_per_fused_native_layer_norm_3', 'fused elementwise'),
    ('void at::native::(anonymous namespace)::multi_tensor_apply_kernel<'
     'FusedAdamMathFunctor<float, 4>>', 'optimizer'),
    ('Memcpy HtoD (Pageable -> Device)', 'copy'),
    ('void at::native::vectorized_elementwise_kernel<4, GeluCUDAKernel>',
     'elementwise'),
    ('aten::addmm', 'matmul'),
    ('some_unknown_kernel', 'other'),
])
def test_kernel_kind(name, kind):
    assert kernel_kind(name) == kind


def test_profile_step_groups_a_step_by_kind():
    layer = torch.nn.Linear(64, 64)
    optimizer = torch.optim.AdamW(layer.parameters())
    x = torch.randn(256, 64)

    def step():
        layer(x).square().mean().backward()
        optimizer.step()
        optimizer.zero_grad()

    breakdown = profile_step(step, torch.device('cpu'), steps=2, top=5)
    assert breakdown.device == 'cpu'
    assert breakdown.ms_per_step['matmul'] > 0
    assert breakdown.ms_per_step['optimizer'] > 0
    assert breakdown.total_ms == pytest.approx(
        sum(breakdown.ms_per_step.values()))
    times = [ms for _, ms in breakdown.top]
    assert len(times) == 5 and times == sorted(times, reverse=True)
    assert breakdown.host_syncs_per_step == 0  # no device to wait for
    record = breakdown.as_dict()
    assert record['total_ms_per_step'] == pytest.approx(breakdown.total_ms,
                                                        abs=1e-2)


def test_profile_step_writes_the_trace_it_measured(tmp_path):
    layer = torch.nn.Linear(16, 16)
    x = torch.randn(8, 16)
    path = tmp_path / 'traces' / 'step.json.gz'

    def step():
        layer(x).sum().backward()

    profile_step(step, torch.device('cpu'), steps=2, trace_path=str(path))
    with gzip.open(path, 'rt') as f:
        events = json.load(f)['traceEvents']
    names = {event.get('name') for event in events}
    assert 'aten::addmm' in names or 'aten::linear' in names


@pytest.mark.parametrize('key, kernel', [
    ('Optimizer.step#AdamW.step', False),
    ('Optimizer.zero_grad#AdamW.zero_grad', False),
    # ATen's kernels name their lambdas with '#': still kernels
    ('void at::native::elementwise_kernel<128, 4, at::native::gpu_kernel_'
     'impl<at::native::addcmul_cuda_kernel(at::TensorIteratorBase&, c10::'
     'Scalar const&)::{lambda()#2}::operator()() const::{lambda(float, '
     'float, float)#1}>', True),
    ('triton_poi_fused_gelu_view_14', True),
    ('Memcpy DtoH (Device -> Pinned)', True),
])
def test_user_annotations_are_not_kernels(key, kernel):
    event = SimpleNamespace(device_type=torch.autograd.DeviceType.CUDA,
                            is_user_annotation=False, key=key)
    assert is_device_kernel(event) is kernel


def test_operators_on_the_host_are_not_kernels():
    event = SimpleNamespace(device_type=torch.autograd.DeviceType.CPU,
                            is_user_annotation=False, key='aten::addcmul')
    assert not is_device_kernel(event)
