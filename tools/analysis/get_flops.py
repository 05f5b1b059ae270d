"""Count a config's model FLOPs with fvcore, without loading any data.

Usage::

    python tools/analysis/get_flops.py configs/vmae_vitb_ssv2.py
    python tools/analysis/get_flops.py CONFIG --shape 16 224 224 --depth 2

Prints fvcore's per-module table, the per-clip split (pretraining configs:
patch embedding, encoder, decoder, training step), any op fvcore skipped,
and finally two lines::

    Params: 86.23 M
    FLOPs: 180.35 G (fvcore: 1 multiply-add = 1 FLOP)

FLOPs are for one forward pass over ``--batch`` clips of the given shape
(pretraining: the masked forward, masks drawn by the config's mask
generator; classification: one view). The model runs once on the CPU.
"""
import argparse
import time
from typing import List, Optional

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from vmae_mm.analysis import (FLOP_UNIT, count_flops, default_input_shape,
                              format_giga, format_split, format_unsupported)
from vmae_mm.registry import MODELS


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=f'Model FLOPs of a config ({FLOP_UNIT}).')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--shape', type=int, nargs=3, metavar=('T', 'H', 'W'),
        help='clip frames, height and width; defaults to the size the '
        "backbone is built for (its num_frames and img_size)")
    parser.add_argument('--batch', type=int, default=1,
                        help='clips in the counted batch. Defaults to 1.')
    parser.add_argument('--depth', type=int, default=3,
                        help='depth of the per-module table. Defaults to 3.')
    parser.add_argument(
        '--mode', choices=['auto', 'pretrain', 'classify'], default='auto',
        help="pretraining (masked forward) or classification (one view); "
        "'auto' picks by the model type. Defaults to auto.")
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. model.backbone.arch=l')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    if args.batch < 1:
        raise SystemExit(f'--batch must be at least 1, got {args.batch}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if 'model' not in cfg:
        raise SystemExit(f'{args.config} has no `model` entry to count')
    init_default_scope(cfg.get('default_scope', 'vmae_mm'))
    model = MODELS.build(cfg.model)

    channels, *clip = default_input_shape(model)
    if args.shape:
        clip = args.shape
    shape = (args.batch, channels, *clip)
    start = time.perf_counter()
    report = count_flops(model, shape, mode=args.mode)
    seconds = time.perf_counter() - start

    print(f'Input: {tuple(shape)} (B, C, T, H, W); mode: {report.mode}; '
          f'counted in {seconds:.1f} s on the CPU')
    print(report.table(max_depth=args.depth))
    print('\n'.join(format_split(report)))
    unsupported = format_unsupported(report)
    if unsupported:
        print(unsupported)
    print(f'Params: {report.params / 1e6:.2f} M')
    print(f'FLOPs: {format_giga(report.total)} ({FLOP_UNIT})')


if __name__ == '__main__':
    main()
