"""Decode each video of an annotation list once into JPEG frames and write
the matching raw-frames list (``dir total_frames label``).

    python tools/data/extract_frames.py data/k400/k400_train_list_videos.txt \
        data/k400/videos_train data/k400/rawframes_train \
        --out-list data/k400/k400_train_list_rawframes.txt --workers 16
"""
import argparse
import os
import os.path as osp
from multiprocessing import Pool
from typing import List, Tuple

from mmengine.utils import ProgressBar

from vmae_mm.datasets.frame_extraction import extract_frames
from vmae_mm.utils import run_cli


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('video_list', help='lines "relative/path label"')
    parser.add_argument('video_root', help='folder the paths are under')
    parser.add_argument('frame_root', help='folder for the frame folders')
    parser.add_argument('--out-list', required=True,
                        help='raw-frames list to write')
    parser.add_argument('--short-side', type=int, default=256,
                        help='resize to this short side (0 keeps the size)')
    parser.add_argument('--quality', type=int, default=90)
    parser.add_argument('--workers', type=int, default=os.cpu_count())
    return parser.parse_args()


def read_list(path: str) -> List[Tuple[str, str]]:
    if not osp.isfile(path):
        raise FileNotFoundError(f'video list not found: {path}')
    entries = []
    with open(path) as f:
        for line_no, line in enumerate(f, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) < 2:
                raise ValueError(f'{path}:{line_no}: expected "path label"')
            entries.append((' '.join(fields[:-1]), fields[-1]))
    return entries


def _extract(job: Tuple[str, str, int, int]) -> Tuple[str, int, str]:
    video, out_dir, short_side, quality = job
    try:
        return out_dir, extract_frames(video, out_dir, short_side,
                                       quality), ''
    except (RuntimeError, FileNotFoundError) as err:
        return out_dir, 0, str(err)


def main() -> None:
    args = parse_args()
    entries = read_list(args.video_list)
    jobs, labels = [], {}
    for rel, label in entries:
        out_dir = osp.join(args.frame_root, osp.splitext(rel)[0])
        jobs.append((osp.join(args.video_root, rel), out_dir,
                     args.short_side, args.quality))
        labels[out_dir] = (osp.splitext(rel)[0], label)
    counts, failures = {}, []
    progress = ProgressBar(len(jobs))
    with Pool(args.workers) as pool:
        for out_dir, count, error in pool.imap_unordered(_extract, jobs):
            if error:
                failures.append(error)
            else:
                counts[out_dir] = count
            progress.update()
    with open(args.out_list, 'w') as f:
        for out_dir, count in counts.items():
            rel, label = labels[out_dir]
            f.write(f'{rel} {count} {label}\n')
    print(f'\n{len(counts)} videos extracted to {args.frame_root}, list '
          f'{args.out_list}; {len(failures)} failed')
    for error in failures:
        print(f'  skipped: {error}')


if __name__ == '__main__':
    run_cli(main)
