"""Capture and restore every random generator training draws from.

A run resumed from a checkpoint reproduces the uninterrupted run only if
the generators continue where they stopped: Python's ``random`` and numpy's
global generator (data augmentation in the main process), torch's CPU
generator (masks, dropout, drop-path) and the current CUDA device's
generator. The states are stored as tensors and builtins, so a checkpoint
holding them still loads with ``torch.load(weights_only=True)``.
"""
import random
from contextlib import contextmanager
from typing import Dict, Iterator, List

import numpy as np
import torch

RngState = Dict[str, object]

# States saved by the enclosing ``isolated_rng`` blocks, outermost first:
# inside validation the training stream is the one saved on entry.
_SAVED: List[RngState] = []


def get_rng_state() -> RngState:
    """The current state of every generator, as tensors and builtins.

    Returns:
        dict: ``python`` (the tuple of ``random.getstate()``), ``numpy``
        (dict with ``keys`` int64 ``(624,)``, ``pos``, ``has_gauss``,
        ``cached_gaussian``), ``torch`` (uint8 tensor) and, when CUDA is
        initialized, ``cuda`` (uint8 tensor of the current device).
    """
    name, keys, pos, has_gauss, cached = np.random.get_state(legacy=True)
    assert name == 'MT19937', name
    state: RngState = dict(
        python=random.getstate(),
        numpy=dict(keys=torch.from_numpy(keys.astype(np.int64)),
                   pos=int(pos), has_gauss=int(has_gauss),
                   cached_gaussian=float(cached)),
        torch=torch.get_rng_state(),
    )
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state()
    return state


def set_rng_state(state: RngState) -> None:
    """Restore a state made by :func:`get_rng_state`.

    Args:
        state (dict): As returned by :func:`get_rng_state`. The CUDA entry is
            applied to the current device when CUDA is available.
    """
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    np_state = state['numpy']
    np.random.set_state(('MT19937',
                         np.asarray(np_state['keys'], dtype=np.uint32),
                         np_state['pos'], np_state['has_gauss'],
                         np_state['cached_gaussian']))
    torch.set_rng_state(torch.as_tensor(state['torch'], dtype=torch.uint8))
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(
            torch.as_tensor(state['cuda'], dtype=torch.uint8))


def training_rng_state() -> RngState:
    """The training stream's state: the current one, or inside
    :func:`isolated_rng` the one saved when the block was entered (a
    checkpoint written during validation must resume training, not the
    validation's draws)."""
    return _SAVED[0] if _SAVED else get_rng_state()


@contextmanager
def isolated_rng() -> Iterator[None]:
    """Run a block (validation) without moving the training generators:
    their states are saved on entry and restored on exit."""
    _SAVED.append(get_rng_state())
    try:
        yield
    finally:
        set_rng_state(_SAVED.pop())
