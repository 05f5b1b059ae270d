"""Check a config's ``type`` names and arguments before anything is built.

A typo in a config otherwise surfaces minutes later, deep in a traceback
(``KeyError: 'RandMasking is not in the mmengine::mask generator registry'``).
:func:`check_config` walks the sections the runner builds and reports the
first problem as one :class:`ConfigError` naming the config key, what is
registered, and the nearest match.
"""
import difflib
import inspect
from typing import Any, Iterator, List, Optional, Tuple

from mmengine.config import Config, ConfigDict
from mmengine.registry import Registry

from vmae_mm import registry as R


class ConfigError(ValueError):
    """A config names something that does not exist."""


# Keys whose value is built from another registry than their parent's.
_CHILD_REGISTRIES = {
    'mask_generator': R.MASK_GENERATORS,
    'decoder_mask_generator': R.MASK_GENERATORS,
    'pipeline': R.TRANSFORMS,
    'sampler': R.DATA_SAMPLERS,
    'dataset': R.DATASETS,
}
# Registries whose classes take their config keys as constructor arguments
# verbatim, so unknown keys can be reported.
_ARGUMENT_CHECKED = (R.MODELS, R.MASK_GENERATORS, R.TRANSFORMS, R.DATASETS,
                     R.HOOKS, R.METRICS)


def _suggest(name: str, choices: List[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ''


def _registered(registry: Registry) -> List[str]:
    registry.import_from_location()
    names = set(registry.module_dict)
    parent = registry.parent
    while parent is not None:
        names |= set(parent.module_dict)
        parent = parent.parent
    return sorted(names)


def _resolve(registry: Registry, type_name: Any, key: str) -> Optional[type]:
    if not isinstance(type_name, str):
        return type_name if inspect.isclass(type_name) else None
    found = registry.get(type_name)
    if found is None:
        names = _registered(registry)
        raise ConfigError(
            f"config key {key}.type: '{type_name}' is not a registered "
            f'{registry.name}{_suggest(type_name, names)}')
    return found


def _check_arguments(cls: type, cfg: dict, key: str) -> None:
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return
    params = signature.parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return
    accepted = [name for name in params if name != 'self']
    for arg in cfg:
        if arg not in ('type', '_scope_') and arg not in accepted:
            raise ConfigError(
                f"config key {key}.{arg}: {cls.__name__} has no argument "
                f"'{arg}'{_suggest(arg, accepted)}; it takes {accepted}")


def _walk(node: Any, registry: Registry, key: str) -> None:
    """Check ``node`` (a built dict, or a list of them) against
    ``registry``, then its children."""
    if isinstance(node, (list, tuple)):
        for i, item in enumerate(node):
            _walk(item, registry, f'{key}[{i}]')
        return
    if not isinstance(node, dict) or 'type' not in node:
        return
    cls = _resolve(registry, node['type'], key)
    if cls is not None and registry in _ARGUMENT_CHECKED:
        _check_arguments(cls, node, key)
    for child_key, child in node.items():
        if child_key in ('type', 'init_cfg'):
            continue
        child_registry = _CHILD_REGISTRIES.get(child_key, registry)
        _walk(child, child_registry, f'{key}.{child_key}')


def _sections(cfg: Config) -> Iterator[Tuple[str, Any, Registry]]:
    yield 'model', cfg.get('model'), R.MODELS
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if isinstance(loader, dict):
            yield (f'{split}_dataloader.dataset', loader.get('dataset'),
                   R.DATASETS)
            yield (f'{split}_dataloader.sampler', loader.get('sampler'),
                   R.DATA_SAMPLERS)
        yield f'{split}_evaluator', cfg.get(f'{split}_evaluator'), R.METRICS
    hooks = cfg.get('default_hooks') or {}
    for name, hook in hooks.items():
        yield f'default_hooks.{name}', hook, R.HOOKS
    yield 'custom_hooks', cfg.get('custom_hooks'), R.HOOKS
    yield 'param_scheduler', cfg.get('param_scheduler'), R.PARAM_SCHEDULERS
    optim = cfg.get('optim_wrapper')
    if isinstance(optim, dict):
        if 'type' in optim:
            _resolve(R.OPTIM_WRAPPERS, optim['type'], 'optim_wrapper')
        yield 'optim_wrapper.optimizer', optim.get('optimizer'), R.OPTIMIZERS


def check_config(cfg: Config) -> None:
    """Raise :class:`ConfigError` for the first unknown ``type`` or argument
    in the parts of ``cfg`` that the runner builds."""
    for key, node, registry in _sections(cfg):
        if isinstance(node, ConfigDict):
            node = node.to_dict()
        _walk(node, registry, key)
    optim = cfg.get('optim_wrapper') or {}
    constructor = optim.get('constructor') if isinstance(optim, dict) else None
    if isinstance(constructor, str):
        if R.OPTIM_WRAPPER_CONSTRUCTORS.get(constructor) is None:
            names = _registered(R.OPTIM_WRAPPER_CONSTRUCTORS)
            raise ConfigError(
                f"config key optim_wrapper.constructor: '{constructor}' is "
                f'not a registered optimizer wrapper constructor'
                f'{_suggest(constructor, names)}')
