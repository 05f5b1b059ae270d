"""A progress bar while validating and testing."""
import sys
from typing import Optional, TextIO

from mmengine.dist import get_world_size, is_main_process
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar

from vmae_mm.registry import HOOKS


@HOOKS.register_module()
class EvalProgressBarHook(Hook):
    """mmengine's ``ProgressBar`` over the videos of a validation or test
    run, on rank 0.

    Multi-view testing is slow (15 views a video for Kinetics), and mmengine
    logs only every ``LoggerHook.interval`` batches; the bar shows videos
    done, videos per second and the time left. Counts are rank 0's batches
    times the number of processes (the distributed sampler deals the same
    number of videos to every process), capped at the dataset's size.

    Args:
        out (TextIO, optional): Where the bar is written. Defaults to
            ``sys.stdout``.
    """

    priority = 'VERY_LOW'

    def __init__(self, out: Optional[TextIO] = None) -> None:
        self.out = out
        self._bar: Optional[ProgressBar] = None

    def _start(self, dataloader) -> None:
        if not is_main_process():
            return
        self._total = len(dataloader.dataset)
        self._bar = ProgressBar(self._total, file=self.out or sys.stdout)

    def _advance(self, data_batch) -> None:
        if self._bar is None or data_batch is None:
            return
        videos = len(data_batch['inputs']) * get_world_size()
        videos = min(videos, self._total - self._bar.completed)
        if videos > 0:
            self._bar.update(videos)

    def _finish(self) -> None:
        if self._bar is not None:
            self._bar.file.write('\n')
            self._bar.file.flush()
            self._bar = None

    def before_val_epoch(self, runner) -> None:
        self._start(runner.val_dataloader)

    def before_test_epoch(self, runner) -> None:
        self._start(runner.test_dataloader)

    def after_val_iter(self, runner, batch_idx: int,
                       data_batch: Optional[dict] = None,
                       outputs=None) -> None:
        self._advance(data_batch)

    def after_test_iter(self, runner, batch_idx: int,
                        data_batch: Optional[dict] = None,
                        outputs=None) -> None:
        self._advance(data_batch)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._finish()

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._finish()
