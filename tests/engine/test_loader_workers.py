"""A run stops its data loaders' persistent workers when it ends, so the
process does not wait at exit for workers nobody told to stop."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.hooks import Hook
from torch.utils.data import DataLoader

from vmae_mm.engine.launch import apply_train_args, build_runner, load_config
from vmae_mm.engine.loader_workers import (StopsLoaderWorkers,
                                           stop_loader_workers)

from ..conftest import TINY_PRETRAIN_CONFIG


def _persistent_loader() -> DataLoader:
    return DataLoader(torch.arange(8), batch_size=2, num_workers=2,
                      persistent_workers=True)


def test_stop_loader_workers_ends_the_workers_and_the_loader_still_works():
    loader = _persistent_loader()
    assert [b.tolist() for b in loader][0] == [0, 1]
    workers = list(loader._iterator._workers)
    assert len(workers) == 2 and all(w.is_alive() for w in workers)
    unused = DataLoader(torch.arange(4), num_workers=2)  # never iterated
    runner = SimpleNamespace(_train_loop=SimpleNamespace(dataloader=loader),
                             _val_loop=dict(type='ValLoop'),  # not built
                             _test_loop=SimpleNamespace(dataloader=unused))

    assert stop_loader_workers(runner) == 1
    assert not any(w.is_alive() for w in workers)
    assert loader._iterator is None
    assert stop_loader_workers(runner) == 0
    # a new pass starts new workers
    assert sum(b.sum().item() for b in loader) == sum(range(8))
    stop_loader_workers(runner)


class _Evaluator:
    """Stands for mmengine's Runner: validating reads the whole loader,
    testing fails half-way."""

    def __init__(self, loader: DataLoader) -> None:
        self._train_loop = None
        self._val_loop = SimpleNamespace(dataloader=loader)
        self._test_loop = self._val_loop
        self.workers = []

    def val(self) -> dict:
        total = sum(b.sum().item() for b in self._val_loop.dataloader)
        self.workers = list(self._val_loop.dataloader._iterator._workers)
        return dict(total=total)

    def test(self) -> dict:
        next(iter(self._test_loop.dataloader))
        self.workers = list(self._test_loop.dataloader._iterator._workers)
        raise RuntimeError('failed half-way')


class _StoppingEvaluator(StopsLoaderWorkers, _Evaluator):
    pass


def test_validation_and_a_failed_test_end_with_the_workers_stopped():
    evaluator = _StoppingEvaluator(_persistent_loader())
    assert evaluator.val() == dict(total=sum(range(8)))
    assert evaluator.workers and not any(w.is_alive()
                                         for w in evaluator.workers)
    with pytest.raises(RuntimeError, match='failed half-way'):
        evaluator.test()
    assert evaluator.workers and not any(w.is_alive()
                                         for w in evaluator.workers)


class _RecordWorkers(Hook):
    """Keeps the training loader's worker processes seen in the epoch."""

    def __init__(self) -> None:
        self.workers = []

    def after_train_epoch(self, runner) -> None:
        self.workers = list(runner.train_loop.dataloader._iterator._workers)


def test_training_ends_with_its_persistent_workers_stopped(
        tmp_path, synthetic_root):
    cfg = load_config(TINY_PRETRAIN_CONFIG, {
        'train_dataloader.dataset.data_root': synthetic_root,
        'train_dataloader.num_workers': 2,
        'train_dataloader.persistent_workers': True,
        'default_hooks.checkpoint.interval': 100,
        'flops_counter': None,
    })
    apply_train_args(cfg, TINY_PRETRAIN_CONFIG, work_dir=str(tmp_path))
    runner = build_runner(cfg)
    recorder = _RecordWorkers()
    runner.register_hook(recorder)

    runner.train()

    assert len(recorder.workers) == 2
    assert not any(w.is_alive() for w in recorder.workers)
    assert runner.train_loop.dataloader._iterator is None
