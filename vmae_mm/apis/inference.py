"""Building a model from a config, loading its weights, and classifying a
video file with it."""
import contextlib
import copy
import logging
import os.path as osp
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.logging import MMLogger, print_log
from mmengine.registry import init_default_scope
from torch import nn

from vmae_mm.models.utils.checkpoint_loading import load_checkpoint
from vmae_mm.registry import MODELS, TRANSFORMS


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


def test_pipeline_of(config: Config) -> List[dict]:
    """The transforms a config tests with: ``test_dataloader.dataset.
    pipeline``, else ``val_dataloader``'s.

    Args:
        config (Config): A finetuning config.

    Returns:
        list[dict]: Transform configs.

    Raises:
        KeyError: If the config has neither.
    """
    for split in ('test', 'val'):
        loader = config.get(f'{split}_dataloader') or {}
        pipeline = (loader.get('dataset') or {}).get('pipeline')
        if pipeline:
            return [copy.deepcopy(dict(t)) for t in pipeline]
    raise KeyError(f'config {config.filename} has no test_dataloader (or '
                   'val_dataloader) with a dataset pipeline: the video '
                   'cannot be prepared as the model was tested')


def prepare_video(model: nn.Module, video_path: Union[str, Path]) -> dict:
    """Run the model's test pipeline (all its views) on one video file.

    Args:
        model (nn.Module): A model made by :func:`init_model` (its config is
            ``model.cfg``).
        video_path (str | Path): The video file.

    Returns:
        dict: ``inputs``, uint8 ``(V, C, T, H, W)`` (V = clips x crops), and
        ``data_samples``, an ``ActionDataSample`` with ``filename`` and
        ``frame_inds`` (the sampled frame indices, clip-major).
    """
    config = getattr(model, 'cfg', None)
    if not isinstance(config, Config):
        raise AttributeError('the model has no config (model.cfg): build it '
                             'with vmae_mm.apis.init_model(config, '
                             'checkpoint)')
    video_path = str(video_path)
    if not osp.isfile(video_path):
        raise FileNotFoundError(f'video file not found: {video_path}')
    init_default_scope(config.get('default_scope', 'vmae_mm'))
    pipeline = Compose([TRANSFORMS.build(t) for t in test_pipeline_of(config)])
    return pipeline(dict(filename=video_path))


def read_label_map(label_map: Union[str, Path, Sequence[str]],
                   num_classes: int) -> List[str]:
    """Class names, one per class index.

    Args:
        label_map (str | Path | Sequence[str]): A text file with one name
            per line (line i = class i), or the names themselves.
        num_classes (int): The model's number of classes, checked.

    Returns:
        list[str]: ``num_classes`` names.
    """
    if isinstance(label_map, (str, Path)):
        if not osp.isfile(label_map):
            raise FileNotFoundError(f'label map not found: {label_map}')
        with open(label_map) as f:
            names = [line.strip() for line in f if line.strip()]
        source = str(label_map)
    else:
        names, source = [str(name) for name in label_map], 'the label map'
    if len(names) != num_classes:
        raise ValueError(f'{source} names {len(names)} classes but the '
                         f'model predicts {num_classes}: use the label map '
                         'of the dataset the model was finetuned on')
    return names


@torch.no_grad()
def inference_recognizer(
        model: nn.Module,
        video: Union[str, Path, dict],
        topk: int = 5,
        label_map: Optional[Union[str, Path, Sequence[str]]] = None
) -> List[Tuple[Union[str, int], float]]:
    """Classify one video with the protocol of the model's config.

    The video goes through the config's test pipeline (every clip and crop
    it defines) and the model averages the softmax over those views.

    Args:
        model (nn.Module): A finetuned recognizer from :func:`init_model`.
        video (str | Path | dict): A video file, or what
            :func:`prepare_video` returned for it.
        topk (int): How many classes to return. Defaults to 5.
        label_map (str | Path | Sequence[str], optional): Class names (a
            file with one per line, or a list). Defaults to None: classes
            are given as their indices.

    Returns:
        list[tuple[str | int, float]]: ``(label, probability)`` for the
        ``topk`` most probable classes, most probable first.
    """
    if topk < 1:
        raise ValueError(f'topk must be positive, got {topk}')
    data = video if isinstance(video, dict) else prepare_video(model, video)
    sample = model.test_step(pseudo_collate([data]))[0]
    scores = sample.pred_score.float().cpu()  # (K,)
    names = None if label_map is None else read_label_map(
        label_map, scores.numel())
    values, indices = scores.topk(min(topk, scores.numel()))
    return [(names[i] if names else i, v)
            for v, i in zip(values.tolist(), indices.tolist())]
