"""Keep training checkpoints loadable with ``torch.load(weights_only=True)``.

torch >= 2.6 loads with ``weights_only=True`` by default, and refuses the
``HistoryBuffer`` objects (and the numpy arrays inside them) that mmengine
0.10 stores in a checkpoint's ``message_hub`` entry. Rather than turning the
safe loader off or allow-listing ``getattr`` (which HistoryBuffer pickles
need), vmae_mm writes those entries as plain dicts of tensors and restores
them on load. Every checkpoint vmae_mm writes therefore loads with the safe
default, through ``--resume``, ``load_from``, ``init_model`` and the
converters alike, and nothing weaker is ever used for files from elsewhere.
"""
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

_BUFFER_MARK = '__vmae_history_buffer__'


def to_portable(value: Any) -> Any:
    """Replace HistoryBuffers and numpy values by tensors and builtins,
    recursively through dicts, lists and tuples."""
    if isinstance(value, HistoryBuffer):
        log, count = value.data
        return {_BUFFER_MARK: True,
                'log_history': torch.from_numpy(np.asarray(log, np.float64)),
                'count_history': torch.from_numpy(
                    np.asarray(count, np.float64)),
                'max_length': int(value.max_length)}
    if isinstance(value, dict):
        return type(value)((k, to_portable(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(to_portable(v) for v in value)
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, np.generic):
        return value.item()
    return value


def from_portable(value: Any) -> Any:
    """Inverse of :func:`to_portable` for HistoryBuffers (numpy arrays come
    back as tensors, which every consumer of these entries accepts)."""
    if isinstance(value, dict):
        if value.get(_BUFFER_MARK):
            return HistoryBuffer(value['log_history'].tolist(),
                                 value['count_history'].tolist(),
                                 value['max_length'])
        return type(value)((k, from_portable(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(from_portable(v) for v in value)
    return value
