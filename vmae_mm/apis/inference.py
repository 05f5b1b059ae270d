"""Building a model from a config and loading its weights."""
import contextlib
import copy
import logging
from pathlib import Path
from typing import Iterator, Optional, Union

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger, print_log
from mmengine.registry import init_default_scope
from torch import nn

from vmae_mm.models.utils.checkpoint_loading import load_checkpoint
from vmae_mm.registry import MODELS


def _drop_pretrained_init(cfg: dict) -> None:
    """Remove ``init_cfg=dict(type='Pretrained', ...)`` entries in place:
    the checkpoint given to :func:`init_model` supersedes them."""
    for key, value in list(cfg.items()):
        if key == 'init_cfg' and isinstance(value, dict) and value.get(
                'type') == 'Pretrained':
            print_log(f"init_cfg {dict(value)} skipped: the checkpoint "
                      f"given to init_model replaces it", logger='current',
                      level=logging.INFO)
            cfg[key] = None
        elif isinstance(value, dict):
            _drop_pretrained_init(value)


@contextlib.contextmanager
def _quiet_init_info() -> Iterator[None]:
    """mmengine logs one INFO line per parameter after ``init_weights``;
    an inference helper keeps the log to what matters."""
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def init_model(config: Union[str, Path, Config],
               checkpoint: Optional[str] = None,
               device: Union[str, torch.device] = 'cpu',
               src_format: Optional[str] = None,
               trusted: bool = False) -> nn.Module:
    """Build the model of a config, load weights, and switch to eval mode.

    Weights go through vmae_mm's converter-aware loader: the checkpoint may
    be an official, transformers, mmaction2 or vmae_mm file (or a
    transformers directory), and a pretraining checkpoint loads into a
    finetuning config (encoder taken, decoder and the encoder's final norm
    dropped, ``fc_norm`` and the head fresh), with every other key checked.

    Args:
        config (str | Path | Config): Config file or object; its ``model``
            is built with ``default_scope='vmae_mm'``.
        checkpoint (str, optional): Checkpoint to load. When None the model
            gets its config's initialization (``init_weights``, including
            any ``Pretrained`` ``init_cfg``). Defaults to None.
        device (str | torch.device): Where the model goes. Defaults to
            ``'cpu'``.
        src_format (str, optional): Checkpoint format; detected when None.
        trusted (bool): Allow arbitrary pickled objects in the checkpoint,
            needed for mmengine training checkpoints (load only files you
            trust). Defaults to False.

    Returns:
        nn.Module: The model in eval mode on ``device``.
    """
    if not isinstance(config, Config):
        config = Config.fromfile(str(config))
    if 'model' not in config:
        raise KeyError(f"config {config.filename} has no 'model' entry")
    init_default_scope(config.get('default_scope', 'vmae_mm'))
    model_cfg = copy.deepcopy(config.model.to_dict() if hasattr(
        config.model, 'to_dict') else dict(config.model))
    if checkpoint is not None:
        _drop_pretrained_init(model_cfg)
    model = MODELS.build(model_cfg)
    with _quiet_init_info():
        model.init_weights()
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, src_format=src_format,
                        trusted=trusted)
    model.cfg = config
    return model.to(device).eval()
