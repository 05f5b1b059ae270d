"""Reading checkpoints of any supported origin into vmae_mm's layout.

A checkpoint is a ``.pth``/``.pt``/``.bin``/``.safetensors`` file or a
transformers model directory (``config.json`` plus ``model.safetensors``,
``pytorch_model.bin`` or their sharded forms). Its state dict may sit at the
top level or under ``state_dict`` (mmengine), ``model`` (official) or
``module`` (DeepSpeed); ``module.`` (DDP) and ``_orig_mod.``
(``torch.compile``) prefixes are stripped.
"""
import argparse
import contextlib
import json
import logging
import pickle
from pathlib import Path
from typing import Any, Dict, Literal, Optional, Tuple, Union

import torch
from mmengine.logging import print_log

from .hf import hf_to_vmae
from .keys import is_vmae_key
from .mmaction2 import mmaction2_to_vmae
from .official import official_to_vmae

StateDict = Dict[str, torch.Tensor]
Format = Literal['vmae', 'official', 'hf', 'mmaction2']
FORMATS = ('vmae', 'official', 'hf', 'mmaction2')
_WRAPPERS = ('state_dict', 'model', 'module')
_PREFIXES = ('module.', '_orig_mod.')


def _hf_dir_weights(directory: Path) -> StateDict:
    names = {p.name for p in directory.iterdir()}
    for index_name in ('model.safetensors.index.json',
                       'pytorch_model.bin.index.json'):
        if index_name in names:
            index = json.loads((directory / index_name).read_text())
            state: StateDict = {}
            for shard in sorted(set(index['weight_map'].values())):
                state.update(_read_file(directory / shard, trusted=False))
            return state
    for single in ('model.safetensors', 'pytorch_model.bin'):
        if single in names:
            return _read_file(directory / single, trusted=False)
    raise FileNotFoundError(
        f'{directory}: a transformers model directory needs '
        f'model.safetensors, pytorch_model.bin or a sharding index')


def _read_file(path: Path, trusted: bool) -> Any:
    if path.suffix == '.safetensors':
        from safetensors.torch import load_file
        return load_file(str(path), device='cpu')
    if trusted:
        return torch.load(path, map_location='cpu', weights_only=False)
    # The official scripts save their argparse.Namespace beside the weights;
    # it holds only plain values, so it is allowed (torch >= 2.5).
    allow = getattr(torch.serialization, 'safe_globals', None)
    context = (allow([argparse.Namespace])
               if allow else contextlib.nullcontext())
    try:
        with context:
            return torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as err:
        raise RuntimeError(
            f'{path}: holds Python objects besides tensors (an mmengine '
            f'training checkpoint keeps its message hub and optimizer '
            f'state), so it was not unpickled. Load it only if you trust '
            f'it: pass trusted=True (--trusted on the command line).'
            f'\n{err}') from None


def read_checkpoint(path: Union[str, Path],
                    trusted: bool = False) -> Tuple[Any, Optional[dict]]:
    """Load a checkpoint file or a transformers model directory.

    Third-party files are loaded with ``torch.load(weights_only=True)``:
    tensors and plain containers only, no code runs.

    Args:
        path (str | Path): File or directory.
        trusted (bool): Allow arbitrary pickled objects (``weights_only=
            False``), for your own mmengine training checkpoints only.
            Defaults to False.

    Returns:
        tuple: The loaded object, and the transformers ``config.json`` as a
        dict for a model directory (None otherwise).

    Raises:
        FileNotFoundError: If ``path`` does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f'checkpoint {path} does not exist')
    if path.is_dir():
        config_file = path / 'config.json'
        config = (json.loads(config_file.read_text())
                  if config_file.exists() else None)
        return _hf_dir_weights(path), config
    return _read_file(path, trusted), None


def unwrap_state_dict(checkpoint: Any) -> StateDict:
    """The state dict inside a loaded checkpoint.

    Args:
        checkpoint (Any): What ``torch.load`` returned.

    Returns:
        dict[str, Tensor]: Tensors only, ``module.``/``_orig_mod.``
        prefixes stripped.

    Raises:
        ValueError: If no state dict is found.
    """
    state = checkpoint
    while isinstance(state, dict) and not _is_state_dict(state):
        key = next((k for k in _WRAPPERS if k in state), None)
        if key is None:
            raise ValueError(
                f'no state dict in the checkpoint: expected tensors at the '
                f'top level or under one of {list(_WRAPPERS)}, found keys '
                f'{sorted(state)[:10]}')
        state = state[key]
    if not isinstance(state, dict):
        raise ValueError(f'the checkpoint holds a {type(state).__name__}, not '
                         f'a state dict')
    out = {}
    for key, value in state.items():
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
        out[key] = value
    return out


def _is_state_dict(obj: dict) -> bool:
    return bool(obj) and all(isinstance(v, torch.Tensor) for v in obj.values())


def detect_format(state_dict: StateDict) -> Format:
    """Tell which layout a state dict's keys follow.

    Args:
        state_dict (dict[str, Tensor]): Unwrapped state dict.

    Returns:
        str: ``'vmae'``, ``'official'``, ``'hf'`` or ``'mmaction2'``.

    Raises:
        ValueError: If no layout fits; pass the format explicitly then.
    """
    keys = list(state_dict)
    if any(k.startswith(('videomae.', 'embeddings.', 'encoder.layer.',
                         'decoder.decoder_layers.')) for k in keys):
        return 'hf'
    if any('.mlp.layers.' in k or 'patch_embed.projection.' in k
           for k in keys):
        return 'mmaction2'
    if all(is_vmae_key(k) for k in keys):
        return 'vmae'
    if any(k.startswith(('encoder.patch_embed.', 'encoder.blocks.',
                         'patch_embed.proj.', 'blocks.0.')) for k in keys):
        return 'official'
    raise ValueError(
        f'cannot tell the checkpoint format from keys such as '
        f'{keys[:5]}; pass the format (one of {list(FORMATS)}) explicitly')


def to_vmae(state_dict: StateDict,
            src_format: Optional[Format] = None) -> Tuple[StateDict, Format]:
    """Convert an unwrapped state dict to vmae_mm's layout.

    Args:
        state_dict (dict[str, Tensor]): Unwrapped state dict.
        src_format (str, optional): Its format; detected when None.

    Returns:
        tuple: The vmae_mm state dict and the source format.
    """
    fmt = src_format or detect_format(state_dict)
    if fmt not in FORMATS:
        raise ValueError(f'unknown checkpoint format {fmt!r}; choose one of '
                         f'{list(FORMATS)}')
    converters = dict(official=official_to_vmae, hf=hf_to_vmae,
                      mmaction2=mmaction2_to_vmae)
    if fmt == 'vmae':
        bad = next((k for k in state_dict if not is_vmae_key(k)), None)
        if bad is not None:
            raise KeyError(f'vmae_mm checkpoint: key {bad!r} is not a '
                           f'vmae_mm model key')
        return dict(state_dict), fmt
    return converters[fmt](state_dict), fmt


def load_as_vmae(path: Union[str, Path],
                 src_format: Optional[Format] = None,
                 trusted: bool = False
                 ) -> Tuple[StateDict, Format, Optional[dict]]:
    """Read any supported checkpoint and convert it to vmae_mm's layout.

    Args:
        path (str | Path): Checkpoint file or transformers directory.
        src_format (str, optional): Source format; detected when None.
        trusted (bool): See :func:`read_checkpoint`. Defaults to False.

    Returns:
        tuple: vmae_mm state dict, source format, transformers config (for
        a model directory, else None).
    """
    raw, hf_config = read_checkpoint(path, trusted=trusted)
    state_dict, fmt = to_vmae(unwrap_state_dict(raw), src_format)
    print_log(f'read {path} ({fmt} format, {len(state_dict)} tensors)',
              logger='current', level=logging.INFO)
    return state_dict, fmt, hf_config
