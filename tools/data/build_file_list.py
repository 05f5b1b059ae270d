"""Turn the official annotations into ``relative/path label`` lists.

    python tools/data/build_file_list.py ssv2 data/ssv2/annotations \\
        --out-dir data/ssv2 [--video-ext mp4]
    python tools/data/build_file_list.py kinetics400 \\
        data/kinetics400/annotations --out-dir data/kinetics400 [--class-dirs]
    python tools/data/build_file_list.py ucf101 data/ucf101/ucfTrainTestlist \\
        --out-dir data/ucf101
    python tools/data/build_file_list.py hmdb51 \\
        data/hmdb51/testTrainMulti_7030_splits --out-dir data/hmdb51

Inputs (in ANN_DIR): SSv2 ``something-something-v2-{train,validation}.json``
and ``labels.json``; Kinetics ``train.csv`` and ``val.csv``; UCF101
``classInd.txt``, ``trainlist0N.txt``, ``testlist0N.txt``; HMDB51
``{class}_test_split{N}.txt``. Outputs (in --out-dir):
``{dataset}_{train,val}_list_videos.txt`` (UCF101 / HMDB51:
``{dataset}_{train,val}_split_{N}_videos.txt``) and ``{dataset}_label_map.txt``
(one class name per line, line i = class i). With ``--format rawframes
--frame-root DIR`` the lists are ``folder total_frames label`` for frames
extracted to ``DIR/<video path without extension>/img_00001.jpg ...``.
"""
import argparse
import os
import os.path as osp
from typing import List, Sequence, Tuple

from vmae_mm.datasets.annotations import (AnnotationError, FileList,
                                          load_kinetics_classes,
                                          load_ssv2_classes,
                                          load_ucf101_classes, parse_hmdb51,
                                          parse_kinetics, parse_ssv2,
                                          parse_ucf101)
from vmae_mm.utils import run_cli

#: ``[(list_name, items), ...]`` and the class names.
Lists = Tuple[List[Tuple[str, FileList]], List[str]]


def build_ssv2(args: argparse.Namespace) -> Lists:
    classes = load_ssv2_classes(osp.join(args.ann_dir, 'labels.json'))
    lists = []
    for split, name in (('train', 'train'), ('val', 'validation')):
        items = parse_ssv2(
            osp.join(args.ann_dir, f'something-something-v2-{name}.json'),
            classes, args.video_ext or 'webm')
        lists.append((f'ssv2_{split}_list', items))
    return lists, classes


def build_kinetics400(args: argparse.Namespace) -> Lists:
    train_csv = osp.join(args.ann_dir, 'train.csv')
    classes = load_kinetics_classes(train_csv)
    lists = []
    for split in ('train', 'val'):
        items = parse_kinetics(osp.join(args.ann_dir, f'{split}.csv'),
                               classes, class_dirs=args.class_dirs,
                               keep_whitespace=args.keep_whitespace,
                               video_ext=args.video_ext or 'mp4')
        lists.append((f'kinetics400_{split}_list', items))
    return lists, classes


def build_ucf101(args: argparse.Namespace) -> Lists:
    classes = load_ucf101_classes(osp.join(args.ann_dir, 'classInd.txt'))
    lists = []
    for split in args.splits:
        for part, stem in (('train', 'trainlist'), ('val', 'testlist')):
            items = parse_ucf101(
                osp.join(args.ann_dir, f'{stem}0{split}.txt'), classes)
            lists.append((f'ucf101_{part}_split_{split}', items))
    return lists, classes


def build_hmdb51(args: argparse.Namespace) -> Lists:
    lists, classes = [], None
    for split in args.splits:
        train, test, split_classes = parse_hmdb51(args.ann_dir, split)
        if classes is not None and split_classes != classes:
            raise AnnotationError(f'{args.ann_dir}: split {split} has other '
                                  'classes than the previous splits')
        classes = split_classes
        lists += [(f'hmdb51_train_split_{split}', train),
                  (f'hmdb51_val_split_{split}', test)]
    return lists, classes


BUILDERS = dict(ssv2=build_ssv2, kinetics400=build_kinetics400,
                ucf101=build_ucf101, hmdb51=build_hmdb51)


def count_frames(folder: str, prefix: str, suffix: str) -> int:
    """Frame files in ``folder`` named ``prefix...suffix``."""
    return sum(1 for name in os.listdir(folder)
               if name.startswith(prefix) and name.endswith(suffix))


def to_rawframes(items: FileList, frame_root: str,
                 filename_tmpl: str) -> List[str]:
    """``folder total_frames label`` lines for frames extracted under
    ``frame_root`` to one folder per video (its path without extension)."""
    prefix, _, suffix = filename_tmpl.partition('{')
    suffix = suffix.partition('}')[2]
    lines, missing = [], []
    for path, label in items:
        folder = osp.splitext(path)[0]
        full = osp.join(frame_root, folder)
        total = count_frames(full, prefix, suffix) if osp.isdir(full) else 0
        if total == 0:
            missing.append(full)
            continue
        lines.append(f'{folder} {total} {label}')
    if missing:
        raise FileNotFoundError(
            f'{len(missing)} of {len(items)} videos have no extracted frames '
            f'({filename_tmpl}), e.g. {missing[0]}; extract them first')
    return lines


def write_lines(path: str, lines: Sequence[str]) -> None:
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Build vmae_mm file lists from official annotations')
    parser.add_argument('dataset', choices=sorted(BUILDERS))
    parser.add_argument('ann_dir', help='folder of the official annotations')
    parser.add_argument('--out-dir',
                        help='where lists and label map go (default: '
                        'ann_dir)')
    parser.add_argument('--video-ext',
                        help='video extension (default: webm for ssv2, mp4 '
                        'for kinetics400); UCF101/HMDB51 keep their .avi')
    parser.add_argument('--class-dirs', action='store_true',
                        help='kinetics400: clips are in one folder per class')
    parser.add_argument('--keep-whitespace', action='store_true',
                        help='kinetics400: class folders keep spaces '
                        '(default: underscores)')
    parser.add_argument('--splits', type=int, nargs='+', default=[1, 2, 3],
                        choices=[1, 2, 3], help='ucf101/hmdb51 splits')
    parser.add_argument('--format', choices=['videos', 'rawframes'],
                        default='videos')
    parser.add_argument('--frame-root',
                        help='rawframes: root of the extracted frames')
    parser.add_argument('--filename-tmpl', default='img_{:05d}.jpg',
                        help='rawframes: frame file name')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.format == 'rawframes' and not args.frame_root:
        raise ValueError('--format rawframes needs --frame-root')
    out_dir = args.out_dir or args.ann_dir
    os.makedirs(out_dir, exist_ok=True)
    lists, classes = BUILDERS[args.dataset](args)
    for name, items in lists:
        if args.format == 'rawframes':
            lines = to_rawframes(items, args.frame_root, args.filename_tmpl)
        else:
            lines = [f'{path} {label}' for path, label in items]
        path = osp.join(out_dir, f'{name}_{args.format}.txt')
        write_lines(path, lines)
        print(f'wrote {path}: {len(lines)} {args.format}')
    label_map = osp.join(out_dir, f'{args.dataset}_label_map.txt')
    write_lines(label_map, classes)
    print(f'wrote {label_map}: {len(classes)} classes')


if __name__ == '__main__':
    run_cli(main)
