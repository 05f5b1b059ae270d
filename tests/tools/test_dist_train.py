"""tools/dist_train.sh with 2 CPU processes (gloo): the same global batch
gives the same losses as one process, and a run killed with SIGKILL after a
checkpoint resumes exactly."""
import os
import subprocess
import sys
import time

import pytest

from vmae_mm.engine.setup_checks import free_port

from ..conftest import (REPO_ROOT, TINY_PRETRAIN_CONFIG, failure_text,
                        kill_tree, run_tool)
from ..engine.run_configs import write_config
from ..engine.test_exact_resume import losses

# Masks and clips that do not depend on the process's random state: the
# fixed mask is the same for every clip, and the centre clip is resized
# without a random crop. Two processes of 2 clips and one process of 4 then
# compute the same clips with the same masks, so the first loss checks the
# data split and the second the averaged gradients of the first step.
SAME_BATCH = '''
model = dict(mask_generator=dict(_delete_=True, type='FixedMasking',
                                 mask_ratio=0.75))
train_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=16, frame_interval=2, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
global_batch_size = 4
log_processor = dict(window_size=1)
custom_hooks = []
'''

# Random masks and crops, a different seed on each process, checkpoints
# every 2 iterations over 2 epochs of 5.
RESUME = '''
randomness = dict(seed=0, diff_rank_seed=True)
train_cfg = dict(max_epochs=2)
train_dataloader = dict(batch_size=2)
log_processor = dict(window_size=1)
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=2,
                                     max_keep_ckpts=2))
custom_hooks = []
'''


def dist_train(config, work_dir, root, *extra, processes=2):
    return ['tools/dist_train.sh', config, str(processes), '--work-dir',
            str(work_dir), *extra, '--cfg-options',
            f'train_dataloader.dataset.data_root={root}']


def test_two_processes_match_one_on_the_same_global_batch(
        tmp_path, synthetic_root):
    config = write_config(str(tmp_path / 'same_batch.py'),
                          TINY_PRETRAIN_CONFIG, SAME_BATCH)
    single = run_tool(['tools/train.py', config, '--work-dir',
                       str(tmp_path / 'one'), '--cfg-options',
                       f'train_dataloader.dataset.data_root={synthetic_root}'])
    assert single.returncode == 0, single.stderr[-3000:]
    assert 'batch: 4 per process x 1 processes = 4 clips' in single.stdout

    double = run_tool(dist_train(config, tmp_path / 'two', synthetic_root),
                      env=dict(PORT=str(free_port())))
    assert double.returncode == 0, failure_text(double)
    output = double.stdout + double.stderr
    assert 'batch: 2 per process x 2 processes = 4 clips' in output

    one, two = losses(tmp_path / 'one'), losses(tmp_path / 'two')
    assert sorted(one) == sorted(two) == [1, 2, 3, 4, 5]
    assert two[1] == pytest.approx(one[1], rel=1e-6)  # same clips
    assert two[2] == pytest.approx(one[2], rel=1e-5)  # same first update
    assert two[5] == pytest.approx(one[5], rel=1e-4)


def test_sigkill_after_a_checkpoint_then_resume_repeats_the_run(
        tmp_path, synthetic_root):
    config = write_config(str(tmp_path / 'resume.py'), TINY_PRETRAIN_CONFIG,
                          RESUME)
    # (the launch check runs in the other test and the resumed run)
    reference = run_tool(dist_train(config, tmp_path / 'reference',
                                    synthetic_root),
                         env=dict(PORT=str(free_port()), VMAE_PREFLIGHT='0'))
    assert reference.returncode == 0, failure_text(reference)
    expected = losses(tmp_path / 'reference')
    assert sorted(expected) == list(range(1, 11))

    marker = tmp_path / 'stalled'
    stalled = write_config(
        str(tmp_path / 'stall.py'), config,
        'custom_hooks = [dict(type="StallAfterIterHook", iteration=6, '
        f'marker={str(marker)!r})]\n')
    work_dir = tmp_path / 'killed'
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, PYTHON=sys.executable,
               OMP_NUM_THREADS='1', PORT=str(free_port()), VMAE_PREFLIGHT='0')
    process = subprocess.Popen(
        dist_train(stalled, work_dir, synthetic_root), cwd=REPO_ROOT,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.time() + 180
    while not marker.exists():
        assert process.poll() is None, 'the run ended before the stall'
        assert time.time() < deadline
        time.sleep(0.05)
    # torchrun and both workers (not in the launcher's process group)
    kill_tree(process.pid)
    process.wait()
    assert (work_dir / 'last_checkpoint').read_text().endswith('iter_6.pth')

    resumed = run_tool(
        dist_train(config, work_dir, synthetic_root, '--resume'),
        env=dict(PORT=str(free_port())))
    assert resumed.returncode == 0, failure_text(resumed)
    assert 'resuming epoch 2 after batch 1' in resumed.stdout
    assert losses(work_dir) == expected  # every iteration, exactly


def test_eight_processes_split_the_global_batch_as_one_process(
        tmp_path, synthetic_root):
    """The user's launch, ``tools/dist_train.sh CONFIG 8``, on the CPU: eight
    gloo processes of 1 clip compute the losses of one process of 8."""
    config = write_config(
        str(tmp_path / 'eight.py'), TINY_PRETRAIN_CONFIG,
        SAME_BATCH.replace('global_batch_size = 4', 'global_batch_size = 8'))
    single = run_tool(['tools/train.py', config, '--work-dir',
                       str(tmp_path / 'one'), '--cfg-options',
                       f'train_dataloader.dataset.data_root={synthetic_root}'])
    assert single.returncode == 0, single.stderr[-3000:]
    assert 'batch: 8 per process x 1 processes = 8 clips' in single.stdout

    eight = run_tool(dist_train(config, tmp_path / 'eight', synthetic_root,
                                processes=8),
                     env=dict(PORT=str(free_port())))
    assert eight.returncode == 0, failure_text(eight)
    assert 'batch: 1 per process x 8 processes = 8 clips' in (eight.stdout +
                                                              eight.stderr)
    one, many = losses(tmp_path / 'one'), losses(tmp_path / 'eight')
    # 20 videos: one process drops the last 4 (2 batches of 8); each of 8
    # processes gets 3 (the training sampler pads 20 to 24, as torch's
    # DistributedSampler does), so the runs share their first 2 iterations.
    assert sorted(one) == [1, 2] and sorted(many) == [1, 2, 3]
    assert many[1] == pytest.approx(one[1], rel=1e-6)  # same clips
    assert many[2] == pytest.approx(one[2], rel=1e-5)  # same first update
