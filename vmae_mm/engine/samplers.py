"""A distributed sampler that can start in the middle of an epoch."""
from typing import Iterator, List, Optional, Sized

import torch
from mmengine.dataset import DefaultSampler

from vmae_mm.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class ResumableSampler(DefaultSampler):
    """mmengine's ``DefaultSampler`` that a checkpoint can resume mid-epoch.

    Every epoch is one permutation of the dataset drawn from ``seed +
    epoch`` (the same on every process), padded with its first entries to a
    multiple of the world size when ``round_up``; process ``r`` of ``W``
    takes entries ``r, r + W, r + 2W, ...``. So after ``s`` steps of ``b``
    clips per process the processes together have consumed exactly the
    first ``s * b * W`` entries, the global batch of step ``s`` is entries
    ``[s*b*W, (s+1)*b*W)`` whatever ``W`` is, and a run with ``W`` processes
    of batch ``b`` sees the same global batches as one process of batch
    ``b*W``.

    :meth:`resume_at` skips the consumed prefix of one epoch by index, so no
    skipped clip is read or decoded. ``__len__`` stays the full epoch's
    length: loops size their schedule from it.

    Coverage: with ``drop_last=False`` every sample is drawn exactly once per
    epoch (plus fewer than ``W`` padding repeats with ``round_up``); with
    ``drop_last=True`` (pretraining) each process drops its last partial
    batch, i.e. fewer than ``b*W`` samples, a different set every epoch.

    Args:
        dataset (Sized): The dataset.
        shuffle (bool): Shuffle every epoch. Defaults to True.
        seed (int, optional): Shuffling seed, identical on all processes.
            Defaults to None (drawn on rank 0 and broadcast).
        round_up (bool): Pad the epoch to a multiple of the world size.
            Defaults to True.
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        super().__init__(dataset, shuffle=shuffle, seed=seed,
                         round_up=round_up)
        self._resume_epoch: Optional[int] = None
        self._resume_consumed = 0

    def epoch_indices(self) -> List[int]:
        """The current epoch's whole (padded) order, all processes together,
        before it is split among them: ``DefaultSampler``'s order."""
        if self.shuffle:
            generator = torch.Generator()
            generator.manual_seed(self.seed + self.epoch)
            indices = torch.randperm(len(self.dataset),
                                     generator=generator).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if self.round_up:
            repeats = self.total_size // len(indices) + 1
            indices = (indices * repeats)[:self.total_size]
        return indices

    def resume_at(self, epoch: int, consumed: int) -> None:
        """Start ``epoch`` after its first ``consumed`` entries.

        Args:
            epoch (int): The epoch the checkpoint was taken in.
            consumed (int): Entries of that epoch already trained on, all
                processes together; a multiple of the world size.
        """
        if consumed % self.world_size:
            raise ValueError(
                f'cannot resume after {consumed} samples: not a multiple of '
                f'the {self.world_size} processes')
        self._resume_epoch, self._resume_consumed = epoch, consumed

    def __iter__(self) -> Iterator[int]:
        start = 0
        if self._resume_epoch == self.epoch:
            start = self._resume_consumed
        self._resume_epoch, self._resume_consumed = None, 0
        remaining = self.epoch_indices()[start:]
        return iter(remaining[self.rank::self.world_size])
