"""Loading weights of any supported origin into a vmae_mm model, with the
official finetuning's rules and exact key checks.

Used by :func:`vmae_mm.apis.init_model` and by the backbone's
``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``.
mmengine's own loader (``load_from``) loads non-strictly and only warns
about mismatches, so checkpoints for ``load_from`` should be vmae_mm files
(see ``tools/model_converters/convert_videomae.py``).

Rules, applied to the checkpoint after conversion to vmae_mm's keys:

* a decoder (``neck.*``) is dropped when the model has none (pretraining
  checkpoint into a finetuning model);
* the encoder's final ``norm`` is dropped when the backbone pools into
  ``fc_norm``, which then starts fresh, as the official finetuning does;
* a classification head with another number of classes is dropped with a
  warning (the official finetuning does the same);
* when the checkpoint has no classification head, the model's head (and
  ``fc_norm``) start fresh; a learnable position table missing from the
  checkpoint starts fresh with a warning;
* anything else the model lacks or the checkpoint lacks is an error that
  lists the keys, and a shape mismatch is an error naming the key.
"""
import logging
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Set, Tuple, Union

import torch
from mmengine.logging import print_log
from torch import nn

from ..converters.io import Format, load_as_vmae, to_vmae, unwrap_state_dict

StateDict = Dict[str, torch.Tensor]


@dataclass
class LoadReport:
    """What a checkpoint load did.

    Attributes:
        source_format (str): Format the checkpoint was read as.
        loaded (list[str]): Model keys taken from the checkpoint.
        dropped (list[str]): Checkpoint keys deliberately not loaded.
        fresh (list[str]): Model keys left at their initialization.
    """
    source_format: str
    loaded: List[str] = field(default_factory=list)
    dropped: List[str] = field(default_factory=list)
    fresh: List[str] = field(default_factory=list)


def _backbones(module: nn.Module) -> Iterator[Tuple[str, nn.Module]]:
    from ..backbones.vit3d import VisionTransformer3D
    for name, sub in module.named_modules():
        if isinstance(sub, VisionTransformer3D):
            yield (name + '.' if name else ''), sub


def adapt_state_dict(module: nn.Module, state_dict: StateDict
                     ) -> Tuple[StateDict, List[str], Set[str]]:
    """Apply the loading rules (module docstring) to a vmae_mm state dict.

    Args:
        module (nn.Module): The model (or backbone) to load into.
        state_dict (dict[str, Tensor]): Keys relative to ``module``.

    Returns:
        tuple: The state dict to load, the dropped checkpoint keys, and the
        model keys that may stay at their initialization.
    """
    model_state = module.state_dict()
    has_neck = any(k.startswith('neck.') for k in model_state)
    state = dict(state_dict)
    dropped = []

    def drop(predicate, why: str, level: int = logging.INFO) -> None:
        keys = [k for k in state if predicate(k)]
        if keys:
            print_log(f'not loaded ({why}): {_summary(keys)}',
                      logger='current', level=level)
            dropped.extend(keys)
            for key in keys:
                del state[key]

    if not has_neck:
        drop(lambda k: k.startswith('neck.'),
             'decoder; this model has none')
    for prefix, backbone in _backbones(module):
        if backbone.norm is None:
            drop(lambda k, p=prefix: k.startswith(p + 'norm.'),
                 "the encoder's final norm; this backbone pools into a "
                 'fresh fc_norm, as the official finetuning')
    mismatched = [k for k, v in state.items() if k.startswith('cls_head.')
                  and k in model_state and v.shape != model_state[k].shape]
    if mismatched:
        drop(lambda k: k.startswith('cls_head.'),
             f'classification head of another shape '
             f'({tuple(state[mismatched[0]].shape)} vs '
             f'{tuple(model_state[mismatched[0]].shape)})', logging.WARNING)

    fresh: Set[str] = set()
    no_head = not any(k.startswith('cls_head.') for k in state)
    if no_head:
        fresh |= {k for k in model_state if k.startswith('cls_head.')}
    for prefix, backbone in _backbones(module):
        if (no_head and backbone.fc_norm is not None
                and prefix + 'fc_norm.weight' not in state):
            fresh |= {prefix + 'fc_norm.weight', prefix + 'fc_norm.bias'}
        if (backbone.pos_embed_type == 'learnable'
                and prefix + 'pos_embed' not in state):
            print_log(f'{prefix}pos_embed: not in the checkpoint; the '
                      f'learnable position table starts fresh',
                      logger='current', level=logging.WARNING)
            fresh.add(prefix + 'pos_embed')
    return state, dropped, fresh


def _summary(keys: List[str]) -> str:
    if len(keys) <= 6:
        return ', '.join(keys)
    groups: Dict[str, int] = {}
    for key in keys:
        head = key.split('.')[0]
        groups[head] = groups.get(head, 0) + 1
    return ', '.join(f'{head}.* ({n} tensors)' for head, n in groups.items())


def load_state_dict_checked(module: nn.Module,
                            state_dict: StateDict,
                            source_format: str = 'vmae') -> LoadReport:
    """Load a vmae_mm-layout state dict with the rules and exact checks.

    Args:
        module (nn.Module): Model or backbone.
        state_dict (dict[str, Tensor]): Keys relative to ``module``.
        source_format (str): For the report. Defaults to ``'vmae'``.

    Returns:
        LoadReport: What was loaded, dropped and left fresh.

    Raises:
        KeyError: Listing checkpoint keys the model lacks, or model keys the
            checkpoint lacks beyond those allowed to start fresh.
        RuntimeError: From PyTorch, naming every key with a shape mismatch.
    """
    state, dropped, may_be_fresh = adapt_state_dict(module, state_dict)
    result = module.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if k not in may_be_fresh]
    problems = []
    if result.unexpected_keys:
        problems.append(f'checkpoint keys that {type(module).__name__} does '
                        f'not have: {result.unexpected_keys}')
    if missing:
        problems.append(f'{type(module).__name__} keys that the checkpoint '
                        f'does not have: {missing}')
    if problems:
        raise KeyError('; '.join(problems) + ' (is this checkpoint for '
                       'another model or config?)')
    fresh = sorted(result.missing_keys)
    if fresh:
        print_log(f'start fresh (not in the checkpoint): {_summary(fresh)}',
                  logger='current', level=logging.INFO)
    loaded = [k for k in state if k not in result.unexpected_keys]
    return LoadReport(source_format, loaded, dropped, fresh)


def load_checkpoint(module: nn.Module,
                    checkpoint: Union[str, StateDict],
                    prefix: str = '',
                    src_format: Optional[Format] = None,
                    trusted: bool = False) -> LoadReport:
    """Load a checkpoint of any supported origin into ``module``.

    Args:
        module (nn.Module): Model (``prefix=''``) or a part of it.
        checkpoint (str | dict): Path (file or transformers directory) or an
            already loaded checkpoint / state dict.
        prefix (str): Take only the converted keys under this prefix and
            strip it, e.g. ``'backbone.'`` to load a backbone. Defaults to
            ``''``.
        src_format (str, optional): ``'vmae'``, ``'official'``, ``'hf'`` or
            ``'mmaction2'``; detected when None.
        trusted (bool): Allow arbitrary pickled objects in the file (your
            own mmengine training checkpoints). Defaults to False.

    Returns:
        LoadReport: What was loaded, dropped and left fresh.
    """
    if isinstance(checkpoint, dict):
        state, fmt = to_vmae(unwrap_state_dict(checkpoint), src_format)
    else:
        state, fmt, _ = load_as_vmae(checkpoint, src_format, trusted)
    if prefix:
        selected = {k[len(prefix):]: v for k, v in state.items()
                    if k.startswith(prefix)}
        if not selected:
            raise KeyError(f'no checkpoint key starts with {prefix!r}; keys '
                           f'look like {sorted(state)[:5]}')
        state = selected
    report = load_state_dict_checked(module, state, fmt)
    print_log(f'loaded {len(report.loaded)} tensors into '
              f'{type(module).__name__} from a {fmt} checkpoint',
              logger='current', level=logging.INFO)
    return report
