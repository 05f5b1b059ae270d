"""tools/analysis/get_flops.py on config files."""
import importlib.util
import re
from pathlib import Path

import pytest

from vmae_mm.analysis import FLOP_UNIT

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'analysis' / 'get_flops.py'

TINY_PRETRAIN = """
default_scope = 'vmae_mm'
model = dict(
    type='VideoMAE',
    backbone=dict(type='VisionTransformer3D',
                  arch=dict(embed_dims=64, num_layers=2, num_heads=4,
                            mlp_dims=128),
                  img_size=32, num_frames=8),
    neck=dict(type='VideoMAEDecoder', in_dims=64, embed_dims=32,
              num_layers=1, num_heads=2),
    head=dict(type='VideoMAEPretrainHead'),
    mask_generator=dict(type='TubeMasking', mask_ratio=0.75))
"""

@pytest.fixture(scope='module')
def get_flops():
    spec = importlib.util.spec_from_file_location('get_flops', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(get_flops, capsys, *argv) -> list:
    get_flops.main([str(arg) for arg in argv])
    return capsys.readouterr().out.rstrip('\n').split('\n')


def final_numbers(lines: list) -> tuple:
    """Params (M) and FLOPs (G) from the two last lines, checking their
    form (two decimals, or three significant digits below 0.01 G)."""
    params = re.fullmatch(r'Params: (\d+\.\d\d) M', lines[-2])
    flops = re.fullmatch(r'FLOPs: (\d+\.\d+) G \((.*)\)', lines[-1])
    assert params and flops, lines[-2:]
    assert flops.group(2) == FLOP_UNIT
    return float(params.group(1)), float(flops.group(1))


def write(tmp_path, text: str) -> Path:
    path = tmp_path / 'cfg.py'
    path.write_text(text)
    return path


def test_vitb_finetuning_config(get_flops, capsys):
    """The paper's 180 G / 87 M within 1%: backbone 86.23 M (fc_norm
    included) + K400 head 0.31 M; 180.34 G (the head adds 768 x 400)."""
    lines = run(get_flops, capsys,
                REPO / 'configs' / '_base_' / 'models' / 'recognizer_vitb.py',
                '--depth', 1)
    assert final_numbers(lines) == (86.53, 180.34)
    assert lines[-1] == f'FLOPs: 180.34 G ({FLOP_UNIT})'
    assert final_numbers(lines) == (pytest.approx(87, rel=0.01),
                                    pytest.approx(180, rel=0.01))
    assert 'mode: classify' in lines[0]
    assert any(line.startswith('| model ') for line in lines)
    assert any(line.startswith('| cls_head') for line in lines)


def test_vits_finetuning_config(get_flops, capsys):
    """ViT-S: the paper's 57 G / 22 M within 1% (ViT-L 596.83 G / 304.27 M
    and ViT-H 1190.99 G / 632.12 M take 15-50 s on a CPU, too long here)."""
    lines = run(get_flops, capsys,
                REPO / 'configs' / '_base_' / 'models' / 'recognizer_vits.py',
                '--depth', 0)
    assert final_numbers(lines) == (22.03, 56.88)
    assert final_numbers(lines) == (pytest.approx(22, rel=0.01),
                                    pytest.approx(57, rel=0.01))


def test_pretraining_config_prints_split(get_flops, capsys, tmp_path):
    lines = run(get_flops, capsys, write(tmp_path, TINY_PRETRAIN))
    text = '\n'.join(lines)
    assert 'mode: pretrain' in text
    # 8x32x32 -> 4x2x2 tokens; tube 0.75 keeps 1 of 4 positions per slot.
    assert '(4 of 16 tokens embedded)' in text
    assert 'over 16 tokens, incl. encoder_to_decoder' in text
    assert 'training step (3x forward)' in text
    assert 'Input: (1, 3, 8, 32, 32)' in text
    final_numbers(lines)


def test_shape_batch_and_cfg_options(get_flops, capsys, tmp_path):
    cfg = write(tmp_path, TINY_PRETRAIN)
    base = run(get_flops, capsys, cfg)
    text = '\n'.join(
        run(get_flops, capsys, cfg, '--shape', 16, 64, 32, '--batch', 2,
            '--cfg-options', 'model.mask_generator.mask_ratio=0.5'))
    assert 'Input: (2, 3, 16, 64, 32)' in text
    # 8x4x2 = 64 tokens; ratio 0.5 keeps 4 of 8 positions per slot.
    assert '(32 of 64 tokens embedded)' in text
    assert '(4 of 16 tokens embedded)' in '\n'.join(base)


def test_vitb_ssv2_pretraining_config(get_flops, capsys):
    """The shipped ViT-B pretraining config: encoder over 160 visible
    tokens, decoder over all 1568 (tube 0.9)."""
    lines = run(get_flops, capsys, REPO / 'configs' / 'vmae_vitb_ssv2.py')
    text = '\n'.join(lines)
    assert '(160 of 1568 tokens embedded)' in text
    assert 'over 1568 tokens' in text
    params, flops = final_numbers(lines)
    assert params == 94.21  # encoder 86.23 M + decoder 7.98 M
    # Patch embedding 0.19 + encoder 14.06 + decoder 19.53 (hand count in
    # tests/analysis/test_flops.py).
    assert flops == 33.78


def test_config_without_model(get_flops, tmp_path):
    with pytest.raises(SystemExit, match='no `model`'):
        get_flops.main([str(write(tmp_path, "default_scope = 'vmae_mm'\n"))])
