"""Train a vmae_mm model from a config.

    python tools/train.py configs/vmae_vitb_ssv2.py
    tools/dist_train.sh configs/vmae_vitb_ssv2.py 8
    python tools/train.py CONFIG --cfg-options model.mask_generator.mask_ratio=0.75
"""
import argparse

from mmengine.config import DictAction

from vmae_mm.engine.launch import (add_precision_args, apply_train_args,
                                   build_runner, load_config)
from vmae_mm.utils import run_cli


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a vmae_mm model')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir',
                        help='output folder (default: work_dirs/<config>)')
    parser.add_argument(
        '--resume', nargs='?', const='auto', default=None, metavar='PATH',
        help='resume from PATH, or with no PATH from the latest checkpoint '
        'in the work dir')
    add_precision_args(parser)
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by global batch / base batch')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. model.mask_generator.mask_ratio=0.75')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    apply_train_args(cfg, args.config, work_dir=args.work_dir,
                     resume=args.resume, amp=args.amp,
                     auto_scale_lr=args.auto_scale_lr, launcher=args.launcher)
    runner = build_runner(cfg)
    runner.train()


if __name__ == '__main__':
    run_cli(main)
