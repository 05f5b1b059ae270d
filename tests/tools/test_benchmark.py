"""tools/analysis/benchmark.py runs on the CPU and records what it timed:
our step and transformers' beside it, with the loss parity check."""
import importlib.util
import json

import pytest
from mmengine.config import Config

from ..conftest import REPO_ROOT, TINY_PRETRAIN_CONFIG, run_tool

GPU_CROP_CONFIG = f'{REPO_ROOT}/tests/data/tiny_synthetic_pretrain_gpu_crop.py'


def test_model_mode_with_transformers_and_parity(tmp_path):
    out = tmp_path / 'bench.jsonl'
    result = run_tool([
        'tools/analysis/benchmark.py', TINY_PRETRAIN_CONFIG, '--batch', '2',
        '--steps', '2', '--warmup', '1', '--compare-hf', '--hf-attn', 'sdpa',
        '--check-parity', '--out', str(out)
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads(out.read_text().splitlines()[-1])
    labels = [row['label'] for row in record['results']]
    assert labels == ['vmae_mm', 'transformers sdpa']
    ours = record['results'][0]
    assert ours['batch'] == 2 and ours['clips_per_s'] > 0
    parity = ours['loss_parity']
    assert parity['rel_diff'] < 1e-2  # bf16 autocast against fp32
    assert record['env']['torch']
    assert 'device: ' in result.stdout


def test_decoder_masking_rows_say_so_and_transformers_counts_its_own_work(
        tmp_path):
    out = tmp_path / 'bench.jsonl'
    result = run_tool([
        'tools/analysis/benchmark.py', TINY_PRETRAIN_CONFIG, '--batch', '2',
        '--steps', '1', '--warmup', '1', '--compare-hf', '--hf-attn', 'sdpa',
        '--out', str(out), '--cfg-options',
        'model.decoder_mask_generator.type=RunningCellMasking',
        'model.decoder_mask_generator.mask_ratio=0.5'
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    ours, hf = json.loads(out.read_text().splitlines()[-1])['results']
    assert ours['decoder_masking'] == dict(type='RunningCellMasking',
                                           mask_ratio=0.5)
    assert hf['recipe'] == 'tube masking, decoder over all tokens'
    # transformers' decoder runs over every token, ours over half of them
    assert hf['fwd_gmacs_per_clip'] > ours['fwd_gmacs_per_clip']


def test_e2e_mode_counts_the_clips_cut_on_the_device(tmp_path,
                                                     synthetic_root):
    out = tmp_path / 'bench.jsonl'
    result = run_tool([
        'tools/analysis/benchmark.py', GPU_CROP_CONFIG, '--mode', 'e2e',
        '--batch', '3', '--steps', '2', '--warmup', '1', '--num-workers',
        '1', '--out', str(out), '--cfg-options',
        f'train_dataloader.dataset.data_root={synthetic_root}'
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    (row, ) = json.loads(out.read_text().splitlines()[-1])['results']
    assert row['batch'] == 6  # 3 videos x 2 crops each
    assert 0 <= row['data_wait_fraction'] <= 1 and row['clips_per_s'] > 0
    # the worker's prefetched batches are used up before timing starts
    assert row['untimed_steps'] == 1 + 1 * 2  # warmup + 1 worker x prefetch 2
    assert row['loader_alone_clips_per_s'] > 0


def test_rounds_time_both_models_in_turn_with_kernel_kinds(tmp_path):
    out = tmp_path / 'bench.jsonl'
    result = run_tool([
        'tools/analysis/benchmark.py', TINY_PRETRAIN_CONFIG, '--batch', '2',
        '--steps', '2', '--warmup', '1', '--compare-hf', '--hf-attn', 'sdpa',
        '--rounds', '2', '--profile', '--out', str(out)
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads(out.read_text().splitlines()[-1])['results']
    assert [(row['label'], row['round']) for row in rows] == [
        ('vmae_mm', 0), ('transformers sdpa', 0), ('vmae_mm', 1),
        ('transformers sdpa', 1)
    ]
    for row in rows:
        kernels = row['kernels']
        assert kernels['device'] == 'cpu'
        assert kernels['ms_per_step']['matmul'] > 0
        assert kernels['ms_per_step']['optimizer'] > 0
    assert 'ms per step by kernel kind' in result.stdout


def test_model_step_flags_are_refused_in_e2e_mode():
    result = run_tool([
        'tools/analysis/benchmark.py', GPU_CROP_CONFIG, '--mode', 'e2e',
        '--pipelined', '--rounds', '2'
    ])
    assert result.returncode == 2
    assert '--pipelined, --rounds time the model step' in result.stderr


def _benchmark_module():
    spec = importlib.util.spec_from_file_location(
        'benchmark_tool', f'{REPO_ROOT}/tools/analysis/benchmark.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('configured, flags, expected', [
    (True, [], {}),  # the official configs: compiled as training is
    (None, [], None),
    (True, ['--no-compile'], None),
    (None, ['--compile'], {}),
    (dict(mode='reduce-overhead'), [], dict(mode='reduce-overhead')),
    (dict(mode='reduce-overhead', options=dict(a=1)),
     ['--compile-mode', 'default', '--inductor', 'b=2'],
     dict(mode='default', options=dict(a=1, b=2))),
])
def test_compiles_as_the_config_says_unless_told(monkeypatch, configured,
                                                 flags, expected):
    benchmark = _benchmark_module()
    monkeypatch.setattr('sys.argv', ['benchmark.py', 'cfg.py', *flags])
    args = benchmark.parse_args()
    cfg = Config(dict(compile=configured))
    assert benchmark.compile_setting(cfg, args) == expected
