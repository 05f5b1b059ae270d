"""The official recipes' configs train in bf16, compiled (not yet under FSDP;
finetuning into CUDA graphs);
tools/train.py's --amp / --fp32 override the config's choice."""
import argparse
import os.path as osp

import pytest

from vmae_mm.engine.launch import (add_precision_args, apply_train_args,
                                   load_config)
from ..conftest import REPO_ROOT

CONFIGS = osp.join(REPO_ROOT, 'configs')


def _parse(*argv):
    parser = argparse.ArgumentParser()
    add_precision_args(parser)
    return parser.parse_args(list(argv))


def test_flags_are_three_way_and_exclusive(capsys):
    assert _parse().amp is None
    assert _parse('--amp').amp is True
    assert _parse('--fp32').amp is False
    with pytest.raises(SystemExit):
        _parse('--amp', '--fp32')
    assert 'not allowed with argument' in capsys.readouterr().err


CUDA_GRAPHS = dict(mode='reduce-overhead')


@pytest.mark.parametrize('name, compiled', [
    ('vmae_vitb_ssv2.py', True), ('vmae_vitl_k400.py', True),
    ('vmae_vitb_ssv2_gpu_crop.py', True), ('vmae_vith_ssv2_fsdp.py', False),
    # finetuning: CUDA graphs, but for ViT-H (activation checkpointing)
    ('vmae_vitb_ssv2_ft.py', CUDA_GRAPHS), ('vmae_vitl_k400_ft.py', CUDA_GRAPHS),
    ('vmae_vith_ssv2_ft.py', True), ('vmae_vith_k400_ft.py', True)
])
def test_official_recipes_train_in_bf16(name, compiled):
    cfg = load_config(osp.join(CONFIGS, name))
    assert cfg.optim_wrapper.type == 'BF16OptimWrapper'
    assert cfg.get('compile') == compiled


@pytest.mark.parametrize('name', ['vmae_vitt_synthetic.py',
                                  'vmae_vitt_synthetic_ft.py'])
def test_cpu_quick_start_stays_fp32(name):
    cfg = load_config(osp.join(CONFIGS, name))
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert not cfg.get('compile')


@pytest.mark.parametrize('amp, wrapper', [(None, 'BF16OptimWrapper'),
                                          (True, 'BF16OptimWrapper'),
                                          (False, 'OptimWrapper')])
def test_train_flags_override_the_config(tmp_path, amp, wrapper):
    path = osp.join(CONFIGS, 'vmae_vitb_ssv2.py')
    cfg = load_config(path, {
        'train_dataloader.dataset.ann_file': str(tmp_path / 'list.txt'),
        'train_dataloader.dataset.data_prefix.video': str(tmp_path)})
    (tmp_path / 'list.txt').write_text('a.mp4 0\n')
    apply_train_args(cfg, path, work_dir=str(tmp_path / 'work'), amp=amp)
    assert cfg.optim_wrapper.type == wrapper
