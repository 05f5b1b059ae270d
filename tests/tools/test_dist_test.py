"""tools/dist_test.sh with 2 CPU processes (gloo) on 7 videos: every video
is evaluated exactly once (the sampler pads rank 1 with a repeat, which the
result collection drops), with the same scores as one process."""
import pickle
import re

import numpy as np
import torch
from mmengine.config import Config

from vmae_mm.engine.setup_checks import free_port
from vmae_mm.registry import MODELS

from ..conftest import REPO_ROOT, run_tool

FINETUNE_CONFIG = f'{REPO_ROOT}/configs/vmae_vitb_ssv2_ft.py'


def _config(tmp_path, root, videos):
    ann = tmp_path / 'seven.txt'
    lines = open(f'{root}/val.txt').read().splitlines()[:videos]
    ann.write_text('\n'.join(lines) + '\n')
    path = tmp_path / 'tiny_ft.py'
    path.write_text(f'''_base_ = [{FINETUNE_CONFIG!r}]
model = dict(
    backbone=dict(arch=dict(_delete_=True, embed_dims=32, num_layers=2,
                            num_heads=2, mlp_dims=64),
                  img_size=32, init_cfg=None),
    cls_head=dict(in_channels=32, num_classes=10))
test_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='UniformSample', clip_len=16, num_clips=2, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 32)),
    dict(type='ThreeCrop', crop_size=32),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
test_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False, pin_memory=False,
    dataset=dict(ann_file={str(ann)!r}, data_prefix=dict(video={root!r}),
                 pipeline=test_pipeline))
''')
    return str(path)


def _checkpoint(config, tmp_path):
    cfg = Config.fromfile(config)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    path = tmp_path / 'tiny_ft.pth'
    torch.save({'state_dict': model.state_dict()}, path)
    return str(path)


def _dump(path):
    with open(path, 'rb') as f:
        return pickle.load(f)


def test_each_video_is_evaluated_once_over_two_processes(
        tmp_path, synthetic_root):
    config = _config(tmp_path, synthetic_root, videos=7)
    checkpoint = _checkpoint(config, tmp_path)
    two = run_tool(['tools/dist_test.sh', config, checkpoint, '2',
                    '--work-dir', str(tmp_path / 'two'), '--dump',
                    str(tmp_path / 'two.pkl')],
                   env=dict(PORT=str(free_port())))
    assert two.returncode == 0, two.stderr[-3000:]
    one = run_tool(['tools/test.py', config, checkpoint, '--work-dir',
                    str(tmp_path / 'one'), '--dump',
                    str(tmp_path / 'one.pkl')])
    assert one.returncode == 0, one.stderr[-3000:]

    listed = [line.split()[0] for line in
              open(tmp_path / 'seven.txt').read().splitlines()]
    parallel, single = _dump(tmp_path / 'two.pkl'), _dump(tmp_path / 'one.pkl')
    names = [sample['filename'] for sample in parallel]
    assert len(parallel) == 7
    assert sorted(names) == sorted(f'{synthetic_root}/{name}'
                                   for name in listed)  # each exactly once
    by_name = {sample['filename']: sample for sample in single}
    for sample in parallel:
        np.testing.assert_allclose(
            np.asarray(sample['pred_score']),
            np.asarray(by_name[sample['filename']]['pred_score']), rtol=1e-5,
            atol=1e-7)
    assert _top1(two.stdout) == _top1(one.stdout)


def _top1(log: str) -> str:
    """The last ``acc/top1`` value a test run logged."""
    found = re.findall(r'acc/top1: ([0-9.]+)', log)
    assert found, log[-2000:]
    return found[-1]
