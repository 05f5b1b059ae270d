"""SafeCheckpointHook: the previous checkpoint is deleted only after the new
one is complete, so a run always holds a loadable checkpoint."""
import json
import os

import torch

from tests.conftest import TINY_PRETRAIN_CONFIG, run_tool
from tests.engine.run_configs import write_config

from vmae_mm.engine.hooks import SafeCheckpointHook
from vmae_mm.registry import HOOKS


def test_registered():
    assert HOOKS.get('SafeCheckpointHook') is SafeCheckpointHook


def test_keeping_one_checkpoint_never_leaves_none(tmp_path, synthetic_root):
    record = tmp_path / 'present.jsonl'
    config = write_config(
        str(tmp_path / 'keep_one.py'), TINY_PRETRAIN_CONFIG,
        "default_hooks = dict(checkpoint=dict(by_epoch=False, interval=1,\n"
        "                                     max_keep_ckpts=1))\n"
        "custom_hooks = [dict(type='RecordCheckpointFilesHook', "
        f"record={str(record)!r})]\n")
    work_dir = tmp_path / 'run'
    result = run_tool(['tools/train.py', config, '--work-dir', str(work_dir),
                       '--cfg-options',
                       f'train_dataloader.dataset.data_root={synthetic_root}'])
    assert result.returncode == 0, result.stderr[-3000:]
    seen = [json.loads(line) for line in record.read_text().splitlines()]
    # while iteration i's checkpoint is written, iteration i-1's still exists
    assert seen == [[]] + [[f'iter_{i}.pth'] for i in range(1, 5)]
    assert sorted(p for p in os.listdir(work_dir) if p.endswith('.pth')) == [
        'iter_5.pth']
    assert (work_dir / 'last_checkpoint').read_text() == str(
        work_dir / 'iter_5.pth')
    assert not [p for p in os.listdir(work_dir) if p.endswith('.partial')]
    torch.load(work_dir / 'iter_5.pth', weights_only=True)
