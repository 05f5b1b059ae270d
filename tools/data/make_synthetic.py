"""Write the embedded moving-shapes video dataset (real mp4 files and
annotation lists). Configs that use ``SyntheticVideoDataset`` generate it on
first use; this tool makes it explicitly, or a larger copy for benchmarks.

    python tools/data/make_synthetic.py data/synthetic
    python tools/data/make_synthetic.py data/bench --num-train 512 \
        --num-frames 300 --size 256 --workers 16
"""
import argparse

from vmae_mm.datasets.synthetic import make_synthetic_dataset
from vmae_mm.utils import run_cli


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', help='output folder')
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=100)
    parser.add_argument('--num-frames', type=int, default=48)
    parser.add_argument('--size', type=int, default=80,
                        help='frame side in pixels')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=1,
                        help='processes writing videos (same output)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    paths = make_synthetic_dataset(args.root, args.num_train, args.num_val,
                                   args.num_frames, args.size, args.seed,
                                   args.workers)
    print(f"wrote {args.num_train} + {args.num_val} videos under {args.root}"
          f"; lists {paths['train']} and {paths['val']}")


if __name__ == '__main__':
    run_cli(main)
