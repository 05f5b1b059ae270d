"""Check a distributed launch once, before torchrun starts its processes.

``tools/dist_train.sh`` and ``tools/dist_test.sh`` run::

    python -m vmae_mm.engine.preflight train --nproc 8 --nnodes 1 \\
        --node-rank 0 --master-addr 127.0.0.1 --port 29500 -- CONFIG ARGS...

which exits with status 1 and one line on stderr when the launch cannot
work (more processes than GPUs, the port in use, an unreadable config, a
missing dataset folder, a global batch that does not divide), instead of
every process failing on its own and torchrun adding its report. The
processes run the config checks again (``launch.py``), so launching
without the scripts is just as safe. ``VMAE_PREFLIGHT=0`` skips it.
"""
import argparse
import sys
from typing import List, Optional

from mmengine.config import DictAction

from vmae_mm.utils.cli import run_cli
from .launch import (add_precision_args, apply_test_args, apply_train_args,
                     load_config)
from .setup_checks import apply_global_batch_size, check_gpu_count, check_port


def parse_args(argv: List[str]) -> argparse.Namespace:
    """Launch options before ``--``; the tool's own arguments after it."""
    if '--' in argv:
        split = argv.index('--')
        argv, tool_args = argv[:split], argv[split + 1:]
    else:
        tool_args = []
    parser = argparse.ArgumentParser(
        prog='preflight', description='check a distributed launch')
    parser.add_argument('tool', choices=['train', 'test'])
    parser.add_argument('--nproc', type=int, required=True,
                        help='processes (GPUs) per node')
    parser.add_argument('--nnodes', type=int, default=1)
    parser.add_argument('--node-rank', type=int, default=0)
    parser.add_argument('--master-addr', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=29500)
    args = parser.parse_args(argv)
    args.tool_args = tool_args
    return args


def parse_tool_args(tool: str, argv: List[str]) -> argparse.Namespace:
    """The arguments of tools/train.py or tools/test.py that the checks
    read; the others are ignored here (the tool itself validates them)."""
    parser = argparse.ArgumentParser(prog=f'{tool}.py', add_help=False)
    parser.add_argument('config')
    if tool == 'test':
        parser.add_argument('checkpoint')
    else:
        parser.add_argument('--resume', nargs='?', const='auto',
                            default=None)
        add_precision_args(parser)
        parser.add_argument('--auto-scale-lr', action='store_true')
    parser.add_argument('--work-dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args, _ = parser.parse_known_args(argv)
    return args


def preflight(argv: Optional[List[str]] = None) -> None:
    """Run every check; raise the first user error."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.nproc < 1 or args.nnodes < 1:
        raise ValueError(f'GPUS must be >= 1 and NNODES >= 1, got '
                         f'{args.nproc} and {args.nnodes}')
    if args.node_rank == 0:
        check_port(args.master_addr, args.port)
    check_gpu_count(args.nproc)

    tool = parse_tool_args(args.tool, args.tool_args)
    cfg = load_config(tool.config, tool.cfg_options)
    if args.tool == 'train':
        # checks the dataset paths and the runner/strategy pair too
        apply_train_args(cfg, tool.config, work_dir=tool.work_dir,
                         resume=tool.resume, amp=tool.amp,
                         auto_scale_lr=tool.auto_scale_lr)
        apply_global_batch_size(cfg, args.nproc * args.nnodes)
    else:
        apply_test_args(cfg, tool.config, tool.checkpoint,
                        work_dir=tool.work_dir)


if __name__ == '__main__':
    # Errors read as the script's: "dist_train.sh: error: ..."
    sys.argv[0] = dict(train='dist_train.sh', test='dist_test.sh').get(
        sys.argv[1] if len(sys.argv) > 1 else '', 'preflight')
    run_cli(preflight)
