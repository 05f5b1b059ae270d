"""Turning a config and command-line flags into a ready Runner."""

import argparse
import os
import os.path as osp
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import Runner

from vmae_mm.registry import RUNNERS
from vmae_mm.utils.config_check import ConfigError, check_config
from .setup_checks import (apply_global_batch_size, check_dataset_paths,
                           check_gpu_count, check_runner_matches_strategy,
                           check_schedule_fits, launcher_world_size)


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config file and apply ``--cfg-options`` overrides, then check
    every ``type`` name and argument (:func:`check_config`)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file not found: {path}')
    try:
        cfg = Config.fromfile(path)
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
    except (SyntaxError, TypeError, KeyError, AttributeError) as err:
        raise ConfigError(f'cannot read config {path}: {err}') from err
    check_config(cfg)
    return cfg


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<config name>``, mmaction2's convention."""
    return osp.join('work_dirs', osp.splitext(osp.basename(config_path))[0])


def add_precision_args(parser: argparse.ArgumentParser) -> None:
    """``--amp`` / ``--fp32`` (at most one) into ``args.amp``: ``True``,
    ``False``, or ``None`` to keep the config's optimizer wrapper."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--amp', dest='amp', action='store_const', const=True,
                       help='bfloat16 autocast with fp32 master weights '
                       '(the official recipes\' configs already train so)')
    group.add_argument('--fp32', dest='amp', action='store_const',
                       const=False, help='train in plain fp32')


def apply_train_args(cfg: Config,
                     config_path: str,
                     work_dir: Optional[str] = None,
                     resume: Optional[str] = None,
                     amp: Optional[bool] = None,
                     auto_scale_lr: bool = False,
                     launcher: str = 'none') -> Config:
    """Fold ``tools/train.py``'s flags into ``cfg``.

    Args:
        resume (str, optional): ``'auto'`` resumes from the latest checkpoint
            in the work dir (a fresh start if there is none); a path resumes
            from that checkpoint.
        amp (bool, optional): ``True`` trains under bfloat16 autocast with
            fp32 weights (:class:`BF16OptimWrapper`, on the GPU or the CPU),
            ``False`` in plain fp32 (``OptimWrapper``); ``None`` keeps the
            config's choice (the official recipes' configs train in bf16).
        auto_scale_lr (bool): Scale the lr by global batch / base batch.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
    """
    cfg.launcher = launcher
    cfg.work_dir = work_dir or cfg.get('work_dir') or default_work_dir(
        config_path)
    if resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif resume:
        if not osp.isfile(resume):
            raise FileNotFoundError(f'checkpoint to resume not found: {resume}')
        cfg.resume, cfg.load_from = True, resume
    if amp is not None:
        cfg.optim_wrapper.type = 'BF16OptimWrapper' if amp else 'OptimWrapper'
    if auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise ConfigError('--auto-scale-lr needs auto_scale_lr.'
                              'base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    check_schedule_fits(cfg)
    check_launch(cfg, launcher, splits=('train', 'val')
                 if cfg.get('val_cfg') else ('train',))
    apply_global_batch_size(cfg, launcher_world_size(launcher))
    if launcher != 'none' and not torch.cuda.is_available():
        _use_cpu_distributed(cfg)
    return cfg


def check_launch(cfg: Config, launcher: str, splits=('train', )) -> None:
    """The setup checks every process runs (one-line errors): runner and
    strategy agree, the dataset paths of ``splits`` exist, and a torchrun
    launch has a GPU per local process (when CUDA is present)."""
    check_runner_matches_strategy(cfg)
    check_dataset_paths(cfg, splits)
    if launcher == 'pytorch':
        check_gpu_count(int(os.environ.get('LOCAL_WORLD_SIZE', 1)))


def apply_test_args(cfg: Config,
                    config_path: str,
                    checkpoint: str,
                    work_dir: Optional[str] = None,
                    dump: Optional[str] = None,
                    launcher: str = 'none') -> Config:
    """Fold ``tools/test.py``'s flags into ``cfg``.

    Args:
        checkpoint (str): Weights to evaluate.
        dump (str, optional): A ``.pkl`` file that receives every video's
            prediction (scores, label, file name).
    """
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    if cfg.get('test_dataloader') is None:
        raise ConfigError(f'{config_path} has no test_dataloader: it is not '
                          'an evaluation config')
    cfg.launcher = launcher
    cfg.work_dir = work_dir or cfg.get('work_dir') or default_work_dir(
        config_path)
    cfg.load_from = checkpoint
    cfg.resume = False
    if dump:
        if not dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must name a .pkl file, got {dump}')
        evaluator = cfg.test_evaluator
        evaluators = list(evaluator) if isinstance(evaluator, (list, tuple)) \
            else [evaluator]
        evaluators.append(dict(type='DumpResults', out_file_path=dump))
        cfg.test_evaluator = evaluators
    check_launch(cfg, launcher, splits=('test', ))
    if launcher != 'none' and not torch.cuda.is_available():
        _use_cpu_distributed(cfg)
    return cfg


def _use_cpu_distributed(cfg: Config) -> None:
    """Distributed training without CUDA: gloo, and DDP without devices.

    mmengine's own init calls ``torch.cuda.set_device``, which fails on a CPU
    build, so the gloo process group is started here (from torchrun's
    environment) before the Runner looks for one.
    """
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                                 device_ids=None, broadcast_buffers=False)
    strategy = cfg.get('strategy')
    if strategy and strategy.get('type') == 'FSDPStrategy':
        # mmengine passes the local rank, i.e. a CUDA device, by default
        strategy.setdefault('model_wrapper', {})['device_id'] = 'cpu'
        if strategy.get('state_dict_cfg') == 'full':
            # 'full' offloads the gathered state to the CPU, which crashes
            # (SIGSEGV in torch 2.13) when it is on the CPU already
            strategy.state_dict_cfg = dict(
                state_dict_type='FULL_STATE_DICT',
                state_dict_config=dict(type='FullStateDictConfig',
                                       rank0_only=True, offload_to_cpu=False),
                optim_state_dict_config=dict(type='FullOptimStateDictConfig',
                                             rank0_only=True,
                                             offload_to_cpu=False))
    if cfg.launcher == 'pytorch' and not dist.is_initialized():
        dist.init_process_group(backend='gloo')


def build_runner(cfg: Config) -> Runner:
    """Build the Runner named by ``cfg.runner_type`` (``VMAERunner``)."""
    if 'runner_type' in cfg:
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    _log_batch_and_lr(cfg, runner.world_size)
    return runner


def _clips_per_video(cfg: Config) -> int:
    """Clips the model sees per loaded video: repeated sampling in the
    dataset (``num_sample``) or in a device-side crop (``num_samples``)."""
    dataset = cfg.get('train_dataloader', {}).get('dataset', {}) or {}
    preprocessor = (cfg.get('model', {}) or {}).get('data_preprocessor') or {}
    augment = preprocessor.get('augment') or {}
    return int(dataset.get('num_sample', 1)) * int(
        augment.get('num_samples', 1))


def _log_batch_and_lr(cfg: Config, world_size: int) -> None:
    loader = cfg.get('train_dataloader')
    optim = cfg.get('optim_wrapper', {}).get('optimizer', {})
    if not loader or 'lr' not in optim:
        return
    per_gpu = loader['batch_size']
    total = per_gpu * world_size
    repeats = _clips_per_video(cfg)
    if repeats == 1:
        message = (f'batch: {per_gpu} per process x {world_size} processes '
                   f'= {total} clips per step; lr {optim["lr"]:g}')
    else:
        # lr scales with videos, as the original's repeated sampling does
        message = (f'batch: {per_gpu} videos per process x {world_size} '
                   f'processes = {total} videos, {total * repeats} clips '
                   f'({repeats} per video) per step; lr {optim["lr"]:g}')
    scale = cfg.get('auto_scale_lr', {})
    if scale.get('enable') and scale.get('base_batch_size'):
        unit = 'clips' if repeats == 1 else 'videos'
        message += (f' per {scale["base_batch_size"]} {unit} -> '
                    f'{optim["lr"] * total / scale["base_batch_size"]:g} '
                    'after linear scaling')
    MMLogger.get_current_instance().info(message)
