"""Kernel kinds by name, and a profiled step's time grouped by them."""
import gzip
import json

import pytest
import torch

from vmae_mm.analysis.kernel_profile import kernel_kind, profile_step


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
