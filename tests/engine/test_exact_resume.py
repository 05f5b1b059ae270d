"""A resumed run repeats the uninterrupted one exactly (CPU, one process):
from a mid-epoch checkpoint, from an end-of-epoch one, and after a kill in
the middle of writing a checkpoint."""
import glob
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch

from ..conftest import REPO_ROOT, TINY_PRETRAIN_CONFIG, run_tool
from .run_configs import write_config

# Two epochs of 5 iterations, a checkpoint after every iteration, raw
# per-iteration losses in scalars.json, and an EMA of the weights.
SETTINGS = '''
train_cfg = dict(max_epochs=2)
log_processor = dict(window_size=1)
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=1,
                                     max_keep_ckpts=-1))
custom_hooks = [dict(type='EMAHook', momentum=0.01)]
'''


def losses(work_dir):
    """``{iteration: loss}`` from every run logged in ``work_dir``."""
    found = {}
    for log in glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')):
        with open(log) as f:
            for record in map(json.loads, f):
                if 'loss' in record:
                    found[record['iter']] = record['loss']
    return found


def train_args(config, work_dir, root, *extra):
    return ['tools/train.py', config, '--work-dir', str(work_dir), *extra,
            '--cfg-options', f'train_dataloader.dataset.data_root={root}']


def assert_same_checkpoints(a, b):
    """Weights, EMA, optimizer and scheduler states are bit-identical."""
    a, b = torch.load(a, weights_only=True), torch.load(b, weights_only=True)
    for key in ('state_dict', 'ema_state_dict'):
        assert a[key].keys() == b[key].keys()
        for name in a[key]:
            assert torch.equal(a[key][name], b[key][name]), (key, name)
    for index, state in a['optimizer']['state'].items():
        for name, value in state.items():
            assert torch.equal(value, b['optimizer']['state'][index][name])
    assert a['param_schedulers'] == b['param_schedulers']


@pytest.fixture(scope='module')
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp('configs')
    return write_config(str(folder / 'resume.py'), TINY_PRETRAIN_CONFIG,
                        SETTINGS)


@pytest.fixture(scope='module')
def reference(config, synthetic_root, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('reference')
    result = run_tool(train_args(config, work_dir, synthetic_root))
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(losses(work_dir)) == list(range(1, 11))
    return work_dir


def _resume_from(checkpoint, work_dir, config, root):
    work_dir.mkdir()
    copy = work_dir / osp.basename(checkpoint)
    copy.write_bytes(open(checkpoint, 'rb').read())
    (work_dir / 'last_checkpoint').write_text(str(copy))
    return run_tool(train_args(config, work_dir, root, '--resume'))


@pytest.mark.parametrize('iteration,where', [(3, 'epoch 1 after batch 3'),
                                             (7, 'epoch 2 after batch 2'),
                                             (5, 'epoch 1 after batch 5')])
def test_resume_repeats_the_uninterrupted_run(reference, config,
                                              synthetic_root, tmp_path,
                                              iteration, where):
    work_dir = tmp_path / 'resumed'
    result = _resume_from(reference / f'iter_{iteration}.pth', work_dir,
                          config, synthetic_root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'resuming {where}' in result.stdout
    resumed = losses(work_dir)
    expected = losses(reference)
    assert sorted(resumed) == list(range(iteration + 1, 11))
    assert resumed == {i: expected[i] for i in resumed}  # exactly equal
    assert_same_checkpoints(reference / 'iter_10.pth',
                            work_dir / 'iter_10.pth')


def test_kill_while_writing_a_checkpoint_resumes_from_the_previous(
        reference, config, synthetic_root, tmp_path):
    marker = tmp_path / 'writing'
    slow = write_config(
        str(tmp_path / 'slow.py'), config,
        f"custom_hooks = [dict(type='EMAHook', momentum=0.01), dict(\n"
        f"    type='SlowCheckpointHook', iteration=4, megabytes=400,\n"
        f"    marker={str(marker)!r})]\n")
    work_dir = tmp_path / 'killed'
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1')
    process = subprocess.Popen(
        [sys.executable] + train_args(slow, work_dir, synthetic_root),
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    partial = work_dir / '.iter_4.pth.partial'
    deadline = time.time() + 120
    while not partial.exists() and process.poll() is None:
        assert time.time() < deadline, 'the checkpoint write never started'
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert marker.exists()
    assert not (work_dir / 'iter_4.pth').exists()  # killed before the rename
    assert (work_dir / 'last_checkpoint').read_text().endswith('iter_3.pth')

    resumed = run_tool(train_args(config, work_dir, synthetic_root,
                                  '--resume'))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'auto-resuming from ' + str(work_dir / 'iter_3.pth') in \
        resumed.stdout
    assert not partial.exists()  # cleaned by the next save
    expected = losses(reference)
    assert losses(work_dir) == expected
    assert_same_checkpoints(reference / 'iter_10.pth',
                            work_dir / 'iter_10.pth')
