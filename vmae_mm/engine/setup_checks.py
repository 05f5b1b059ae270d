"""Checks of a launch that fail in one line saying what to do: more
processes than GPUs, a port in use, a missing dataset folder, a global
batch that does not divide over the processes, a schedule that starts a
phase after training ends.

``launch.py`` runs the config checks in every process; ``tools/dist_*.sh``
run all of them once before ``torchrun`` starts (see :mod:`.preflight`), so
a bad setup prints one line instead of one per process plus torchrun's
report.
"""
import errno
import os
import os.path as osp
import socket
from typing import Iterator, Optional, Tuple

from mmengine.config import Config

from vmae_mm.utils.config_check import ConfigError


class LaunchError(ValueError):
    """The machine or the command line cannot run the requested launch."""


def launcher_world_size(launcher: str) -> int:
    """Processes the launcher starts, read from its environment before any
    process group exists (``WORLD_SIZE`` for torchrun, ``SLURM_NTASKS``,
    ``OMPI_COMM_WORLD_SIZE``); 1 without a launcher."""
    variable = dict(pytorch='WORLD_SIZE', slurm='SLURM_NTASKS',
                    mpi='OMPI_COMM_WORLD_SIZE').get(launcher)
    return int(os.environ.get(variable, 1)) if variable else 1


def check_gpu_count(processes_per_node: int) -> None:
    """Refuse more processes per node than visible GPUs (one GPU each).

    Without CUDA nothing is checked: the processes train on the CPU (gloo).

    Args:
        processes_per_node (int): ``GPUS`` of ``tools/dist_train.sh``, or
            torchrun's ``LOCAL_WORLD_SIZE``.

    Raises:
        LaunchError: More processes than GPUs.
    """
    import torch
    if not torch.cuda.is_available():
        return
    count = torch.cuda.device_count()
    if processes_per_node > count:
        visible = os.environ.get('CUDA_VISIBLE_DEVICES')
        note = f' (CUDA_VISIBLE_DEVICES={visible})' if visible else ''
        raise LaunchError(
            f'{processes_per_node} processes per node asked for, but this '
            f'node has {count} visible GPU(s){note}: pass GPUS={count} (e.g. '
            f'tools/dist_train.sh CONFIG {count}) or make more GPUs visible')


def free_port(address: str = '127.0.0.1') -> int:
    """A TCP port nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def check_port(address: str, port: int) -> None:
    """Refuse a rendezvous port that something already listens on.

    Run on the master node (``NODE_RANK=0``): it binds ``address:port`` the
    way torchrun's store does (``SO_REUSEADDR``, so a port of a run that
    just ended is fine). An address that is not this machine's is not
    checked.

    Raises:
        LaunchError: The port is in use.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
            sock.listen(1)
        except socket.gaierror:
            return
        except OSError as err:
            if err.errno == errno.EADDRNOTAVAIL:
                return
            if err.errno != errno.EADDRINUSE:
                raise
            raise LaunchError(
                f'port {port} on {address} is in use (another run?): run '
                f'again with a free port in front of the command, e.g. '
                f'PORT={free_port()} tools/dist_train.sh ...') from None


def apply_global_batch_size(cfg: Config, world_size: int) -> None:
    """Derive the per-process batch from an optional top-level
    ``global_batch_size`` (clips per optimizer step, all processes and
    accumulation steps together).

    A config without it sets ``train_dataloader.batch_size`` per process,
    which always divides. With it, the per-process batch is
    ``global_batch_size / (world_size * accumulative_counts)``, which must
    be a whole number.

    Raises:
        ConfigError: It does not divide.
    """
    total = cfg.get('global_batch_size')
    if total is None:
        return
    accumulate = (cfg.get('optim_wrapper') or {}).get('accumulative_counts',
                                                      1)
    shares = world_size * accumulate
    if not isinstance(total, int) or total < 1 or total % shares:
        steps = f' x {accumulate} accumulation steps' if accumulate > 1 else ''
        lower = max(shares, total // shares * shares) if isinstance(
            total, int) else shares
        raise ConfigError(
            f'global_batch_size={total} does not divide over {world_size} '
            f'processes{steps}: use a multiple of {shares} (e.g. '
            f'--cfg-options global_batch_size={lower}) or a process count '
            f'that divides it')
    cfg.train_dataloader.batch_size = total // shares


def _datasets(node: dict, key: str) -> Iterator[Tuple[str, dict]]:
    """A dataset config and those it wraps (``dataset``/``datasets``)."""
    if not isinstance(node, dict):
        return
    yield key, node
    inner = node.get('dataset')
    if isinstance(inner, dict):
        yield from _datasets(inner, f'{key}.dataset')
    for i, item in enumerate(node.get('datasets') or []):
        yield from _datasets(item, f'{key}.datasets[{i}]')


def _local(path: object) -> bool:
    return isinstance(path, str) and bool(path) and '://' not in path


def check_dataset_paths(cfg: Config, splits=('train', 'val', 'test')) -> None:
    """Refuse dataset folders (``data_prefix``) and annotation files
    (``ann_file``) that do not exist, naming the config key to change.

    Paths are joined to a dataset's ``data_root`` when it has one, as
    mmengine does; ``data_root`` itself is not required to exist (datasets
    such as the synthetic one create it).

    Args:
        cfg (Config): The config.
        splits (Sequence[str]): Which ``{split}_dataloader`` to check.

    Raises:
        FileNotFoundError: A folder or file is missing.
    """
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not isinstance(loader, dict):
            continue
        for key, dataset in _datasets(loader.get('dataset'),
                                      f'{split}_dataloader.dataset'):
            root = dataset.get('data_root') or ''
            paths = [(f'{key}.ann_file', dataset.get('ann_file'), osp.isfile)]
            prefix = dataset.get('data_prefix')
            if isinstance(prefix, dict):
                paths += [(f'{key}.data_prefix.{name}', path, osp.isdir)
                          for name, path in prefix.items()]
            for config_key, path, exists in paths:
                if not _local(path):
                    continue
                full = osp.join(root, path) if _local(root) else path
                if not exists(full):
                    what = 'folder' if exists is osp.isdir else 'file'
                    raise FileNotFoundError(
                        f'dataset {what} not found: {full} ({config_key}); '
                        'prepare the dataset there (see docs), or point the '
                        f'config at it with --cfg-options {config_key}=PATH')


def check_runner_matches_strategy(cfg: Config) -> None:
    """A ``strategy`` (FSDP, DeepSpeed) only works with a FlexibleRunner.

    Raises:
        ConfigError: ``strategy`` is set but ``runner_type`` is not.
    """
    runner_type: Optional[str] = cfg.get('runner_type')
    if 'strategy' in cfg and (not isinstance(runner_type, str) or
                              'Flexible' not in runner_type):
        raise ConfigError(
            f"config sets strategy ({cfg.strategy.get('type')}) but "
            f"runner_type={runner_type!r}: strategies need "
            "runner_type='VMAEFlexibleRunner'")


def check_schedule_fits(cfg: Config) -> None:
    """Every parameter scheduler must begin before training ends.

    A run shortened below its warm-up (``train_cfg.max_epochs=2`` with a
    2-epoch warm-up) would otherwise stop in mmengine with ``end should be
    larger than begin, but got begin=24, end=24``, in iterations the user
    never wrote. Schedulers counted in the other unit than the training
    loop (epochs against iterations) are left to mmengine.

    Raises:
        ConfigError: A scheduler's ``begin`` is at or past the end.
    """
    train_cfg = cfg.get('train_cfg') or {}
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for by_epoch, length_key, unit in ((True, 'max_epochs', 'epoch'),
                                       (False, 'max_iters', 'iteration')):
        length = train_cfg.get(length_key)
        if length is None:
            continue
        for index, scheduler in enumerate(schedulers):
            begin = scheduler.get('begin', 0)
            if scheduler.get('by_epoch', True) != by_epoch or begin < length:
                continue
            raise ConfigError(
                f"param_scheduler[{index}] ({scheduler.get('type')}) begins "
                f'at {unit} {begin}, but train_cfg.{length_key} is {length}: '
                f'raise train_cfg.{length_key} above {begin} or move the '
                "scheduler's begin (a shorter warm-up)")
