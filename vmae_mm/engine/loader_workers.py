"""Stop the data loaders' worker processes when a run is done with them.

A loader with ``persistent_workers=True`` keeps its workers (and, with
``pin_memory=True``, its pinning thread) for the life of its iterator, which
the Runner keeps until the interpreter tears it down. torch 2.11 registers,
for a loader with persistent workers and pinned memory, an exit handler per
worker that joins it with a 5 s timeout before terminating it; those workers
were never told to stop, so each join waits its full 5 s: up to 80 s for a
finetuning run's 8 training and 8 validation workers. Such runs were still
alive 45 s after their last validation (one process under torchrun on an
H100) and 2-GPU runs 100 s after it. Telling the workers to stop first, as
the iterator does when it is released, lets them exit at once, and the exit
handlers find nothing left to wait for.
"""
from typing import Iterator

from torch.utils.data import DataLoader


def _built_loaders(runner) -> Iterator[DataLoader]:
    # a loop is built only when the run used it; before that the Runner
    # holds its config dict, which has no workers to stop
    for name in ('_train_loop', '_val_loop', '_test_loop'):
        loop = getattr(runner, name, None)
        loader = getattr(loop, 'dataloader', None)
        if isinstance(loader, DataLoader):
            yield loader


def stop_loader_workers(runner) -> int:
    """Shut down the worker processes of every data loader a run built.

    A later ``iter(loader)`` starts new workers, so the Runner can still
    validate or test after this.

    Args:
        runner (Runner): A Runner whose training, validation or testing has
            ended (normally or by an exception).

    Returns:
        int: How many loaders had live workers that were stopped.
    """
    stopped = 0
    for loader in _built_loaders(runner):
        # the private iterator is the only handle on persistent workers;
        # its _shutdown_workers is what its __del__ runs
        shutdown = getattr(loader._iterator, '_shutdown_workers', None)
        if shutdown is None:
            continue
        shutdown()
        loader._iterator = None
        stopped += 1
    return stopped


class StopsLoaderWorkers:
    """Runner mixin: training, validation and testing end, normally or by
    an exception, with :func:`stop_loader_workers`. Put it before the
    Runner class in the bases."""

    def train(self):
        try:
            return super().train()
        finally:
            stop_loader_workers(self)

    def val(self) -> dict:
        try:
            return super().val()
        finally:
            stop_loader_workers(self)

    def test(self) -> dict:
        try:
            return super().test()
        finally:
            stop_loader_workers(self)
