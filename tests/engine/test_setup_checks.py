"""Launch checks: global batch, dataset paths, GPU count, port, strategy."""
import socket

import pytest
import torch
from mmengine.config import Config

from vmae_mm.engine.setup_checks import (LaunchError,
                                         apply_global_batch_size,
                                         check_dataset_paths,
                                         check_gpu_count, check_port,
                                         check_runner_matches_strategy,
                                         check_schedule_fits,
                                         launcher_world_size)
from vmae_mm.utils.config_check import ConfigError


def _cfg(**kwargs):
    base = dict(train_dataloader=dict(batch_size=16, dataset=dict()),
                optim_wrapper=dict(type='OptimWrapper'))
    base.update(kwargs)
    return Config(base)


@pytest.mark.parametrize('total,world,accumulate,per_process',
                         [(64, 4, 1, 16), (64, 8, 2, 4), (6, 3, 1, 2)])
def test_global_batch_sets_the_per_process_batch(total, world, accumulate,
                                                 per_process):
    cfg = _cfg(global_batch_size=total,
               optim_wrapper=dict(accumulative_counts=accumulate))
    apply_global_batch_size(cfg, world)
    assert cfg.train_dataloader.batch_size == per_process


def test_global_batch_that_does_not_divide_is_one_line():
    cfg = _cfg(global_batch_size=64)
    with pytest.raises(ConfigError) as error:
        apply_global_batch_size(cfg, 3)
    assert str(error.value) == (
        'global_batch_size=64 does not divide over 3 processes: use a '
        'multiple of 3 (e.g. --cfg-options global_batch_size=63) or a '
        'process count that divides it')
    cfg = _cfg(global_batch_size=8, optim_wrapper=dict(accumulative_counts=4))
    with pytest.raises(ConfigError, match='x 4 accumulation steps'):
        apply_global_batch_size(cfg, 4)


def test_without_global_batch_the_per_process_batch_stays():
    cfg = _cfg()
    apply_global_batch_size(cfg, 7)
    assert cfg.train_dataloader.batch_size == 16


def test_missing_dataset_folder_names_the_key(tmp_path):
    ann = tmp_path / 'train.txt'
    ann.write_text('a.mp4 0\n')
    cfg = _cfg(train_dataloader=dict(dataset=dict(
        type='RepeatDataset', times=2, dataset=dict(
            type='VideoDataset', ann_file=str(ann),
            data_prefix=dict(video=str(tmp_path / 'videos'))))))
    with pytest.raises(FileNotFoundError) as error:
        check_dataset_paths(cfg)
    key = 'train_dataloader.dataset.dataset.data_prefix.video'
    assert f'({key})' in str(error.value)
    assert f'--cfg-options {key}=PATH' in str(error.value)
    (tmp_path / 'videos').mkdir()
    check_dataset_paths(cfg)


def test_paths_join_data_root_and_remote_paths_are_not_checked(tmp_path):
    (tmp_path / 'lists').mkdir()
    cfg = _cfg(test_dataloader=dict(dataset=dict(
        data_root=str(tmp_path), ann_file='lists/test.txt',
        data_prefix=dict(video='s3://bucket/videos'))))
    with pytest.raises(FileNotFoundError, match='lists/test.txt'):
        check_dataset_paths(cfg, splits=('test', ))
    (tmp_path / 'lists' / 'test.txt').write_text('')
    check_dataset_paths(cfg, splits=('test', ))
    check_dataset_paths(cfg, splits=('train', ))  # no paths set there


def test_more_processes_than_gpus(monkeypatch):
    check_gpu_count(64)  # no CUDA here: the CPU runs any number
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 2)
    monkeypatch.setenv('CUDA_VISIBLE_DEVICES', '0,1')
    check_gpu_count(2)
    with pytest.raises(LaunchError) as error:
        check_gpu_count(4)
    assert str(error.value) == (
        '4 processes per node asked for, but this node has 2 visible GPU(s) '
        '(CUDA_VISIBLE_DEVICES=0,1): pass GPUS=2 (e.g. tools/dist_train.sh '
        'CONFIG 2) or make more GPUs visible')


def test_port_in_use_suggests_a_free_one():
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(LaunchError,
                           match=rf'port {port} on 127.0.0.1 is in use.*'
                           r'PORT=\d+ tools/dist_train.sh'):
            check_port('127.0.0.1', port)
    check_port('127.0.0.1', port)  # free again
    check_port('192.0.2.1', port)  # not this machine's address: unchecked


def test_strategy_needs_a_flexible_runner():
    cfg = _cfg(runner_type='VMAERunner', strategy=dict(type='FSDPStrategy'))
    with pytest.raises(ConfigError, match="runner_type='VMAEFlexibleRunner'"):
        check_runner_matches_strategy(cfg)
    cfg.runner_type = 'VMAEFlexibleRunner'
    check_runner_matches_strategy(cfg)


def test_world_size_from_the_launchers_environment(monkeypatch):
    monkeypatch.setenv('WORLD_SIZE', '8')
    monkeypatch.setenv('SLURM_NTASKS', '16')
    assert launcher_world_size('pytorch') == 8
    assert launcher_world_size('slurm') == 16
    assert launcher_world_size('none') == 1


def test_a_scheduler_beginning_after_training_ends_is_one_line():
    warmup_then_cosine = [
        dict(type='LinearLR', by_epoch=True, begin=0, end=2),
        dict(type='CosineAnnealingLR', by_epoch=True, begin=2),
    ]
    cfg = _cfg(train_cfg=dict(max_epochs=2), param_scheduler=warmup_then_cosine)
    with pytest.raises(ConfigError) as error:
        check_schedule_fits(cfg)
    assert str(error.value) == (
        'param_scheduler[1] (CosineAnnealingLR) begins at epoch 2, but '
        'train_cfg.max_epochs is 2: raise train_cfg.max_epochs above 2 or '
        "move the scheduler's begin (a shorter warm-up)")
    cfg.train_cfg.max_epochs = 3
    check_schedule_fits(cfg)


def test_schedules_in_iterations_are_checked_against_max_iters():
    cfg = _cfg(train_cfg=dict(type='IterBasedTrainLoop', max_iters=100),
               param_scheduler=dict(type='CosineAnnealingLR', by_epoch=False,
                                    begin=100))
    with pytest.raises(ConfigError, match='begins at iteration 100, but '
                       'train_cfg.max_iters is 100'):
        check_schedule_fits(cfg)
    # counted in epochs against an iteration loop: mmengine's to judge
    cfg.param_scheduler.by_epoch = True
    check_schedule_fits(cfg)
