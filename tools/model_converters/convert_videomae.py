"""Convert VideoMAE checkpoints between the official releases, transformers,
mmaction2 and vmae_mm.

    python tools/model_converters/convert_videomae.py SRC DST \
        [--src-format official|hf|mmaction2|vmae] [--to vmae|hf] [--config CFG]

SRC is a .pth/.pt/.bin/.safetensors file or a transformers model directory;
the state dict may be at the top level or under ``state_dict``, ``model`` or
``module``. ``--to vmae`` (default) writes ``DST`` as an mmengine-style
checkpoint (``state_dict`` + ``meta``) that ``init_model`` and ``load_from``
accept; with ``--config`` it is first loaded into the config's model, so a
mismatch fails here rather than at training time. ``--to hf`` writes a
transformers model directory (``config.json`` + ``model.safetensors``);
``--config`` supplies what weight shapes cannot tell (heads, input size).
Any key or shape mismatch is an error that names the key.
"""
import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.logging import print_log

from vmae_mm.models.converters import (FORMATS, hf_config_from_vmae,
                                       layout_of, load_as_vmae,
                                       vmae_model_cfg_from_hf, vmae_to_hf)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert VideoMAE checkpoints (official, transformers, '
        'mmaction2, vmae_mm) to vmae_mm or transformers.')
    parser.add_argument('src', help='checkpoint file or transformers dir')
    parser.add_argument('dst', help='output .pth file (--to vmae) or '
                        'directory (--to hf)')
    parser.add_argument('--src-format', choices=FORMATS, default=None,
                        help='layout of SRC; detected from its keys if unset')
    parser.add_argument('--to', choices=('vmae', 'hf'), default='vmae',
                        help='output format (default: vmae)')
    parser.add_argument('--config', default=None,
                        help='vmae_mm config whose model the weights are for')
    parser.add_argument('--trusted', action='store_true',
                        help='allow pickled Python objects in SRC (your own '
                        'mmengine training checkpoints only)')
    return parser.parse_args(argv)


def _model_cfg(config: Optional[str]) -> Optional[dict]:
    if config is None:
        return None
    cfg = Config.fromfile(config)
    return cfg.model.to_dict()


def _verify(state_dict: dict, model_cfg: dict) -> None:
    """Load the converted weights into the model they are meant for."""
    from mmengine.registry import init_default_scope

    from vmae_mm.models.utils.checkpoint_loading import \
        load_state_dict_checked
    from vmae_mm.registry import MODELS
    init_default_scope('vmae_mm')
    with torch.device('cpu'):
        model = MODELS.build(model_cfg)
    report = load_state_dict_checked(model, state_dict)
    print_log(f'verified against {model_cfg["type"]}: {len(report.loaded)} '
              f'tensors load; fresh: {report.fresh or "none"}',
              logger='current', level=logging.INFO)


def convert(src: str, dst: str, src_format: Optional[str] = None,
            to: str = 'vmae', config: Optional[str] = None,
            trusted: bool = False) -> Path:
    """Convert ``src`` and write ``dst``; see the module docstring.

    Returns:
        Path: What was written.
    """
    state_dict, fmt, hf_config = load_as_vmae(src, src_format, trusted)
    model_cfg = _model_cfg(config)
    if model_cfg is None and hf_config is not None:
        model_cfg = vmae_model_cfg_from_hf(hf_config,
                                           layout_of(state_dict))
    dst_path = Path(dst)
    if to == 'vmae':
        if model_cfg is not None:
            _verify(state_dict, model_cfg)
        dst_path.parent.mkdir(parents=True, exist_ok=True)
        meta = dict(converted_from=fmt, source=Path(src).name,
                    layout=layout_of(state_dict))
        torch.save(dict(state_dict=state_dict, meta=meta), dst_path)
    else:
        hf_cfg = hf_config_from_vmae(state_dict, model_cfg)
        weights = vmae_to_hf(state_dict)
        dst_path.mkdir(parents=True, exist_ok=True)
        (dst_path / 'config.json').write_text(
            json.dumps(hf_cfg, indent=2, sort_keys=True) + '\n')
        from safetensors.torch import save_file
        save_file(weights, str(dst_path / 'model.safetensors'),
                  metadata=dict(format='pt'))
    print_log(f'wrote {dst_path} ({to}) from {src} ({fmt}, '
              f'{layout_of(state_dict)} layout)', logger='current',
              level=logging.INFO)
    return dst_path


def main(argv=None) -> int:
    args = parse_args(argv)
    convert(args.src, args.dst, args.src_format, args.to, args.config,
            args.trusted)
    return 0


if __name__ == '__main__':
    sys.exit(main())
