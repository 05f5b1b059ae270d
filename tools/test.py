"""Evaluate a checkpoint with a config's test protocol (multi-view).

    python tools/test.py configs/vmae_vitb_ssv2_ft.py CHECKPOINT
    tools/dist_test.sh configs/vmae_vitb_ssv2_ft.py CHECKPOINT 8 --dump scores.pkl
"""
import argparse

from mmengine.config import DictAction

from vmae_mm.engine.launch import apply_test_args, build_runner, load_config
from vmae_mm.utils import run_cli


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a vmae_mm model')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir',
                        help='output folder (default: work_dirs/<config>)')
    parser.add_argument('--dump', metavar='FILE.pkl',
                        help='write every video\'s scores and label here')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. test_dataloader.batch_size=4')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    apply_test_args(cfg, args.config, args.checkpoint, work_dir=args.work_dir,
                    dump=args.dump, launcher=args.launcher)
    runner = build_runner(cfg)
    runner.test()


if __name__ == '__main__':
    run_cli(main)
