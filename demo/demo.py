"""Classify a video with a finetuned vmae_mm model.

Usage::

    python demo/demo.py VIDEO CONFIG CHECKPOINT [--label-map FILE]
        [--topk K] [--out FILE.png] [--device cpu]

    python demo/demo.py data/synthetic/videos/val_0000.mp4 \\
        configs/vmae_vitt_synthetic_ft.py \\
        work_dirs/vmae_vitt_synthetic_ft/epoch_15.pth --out pred.png

The video goes through the config's test pipeline (all its clips and crops)
and the printed probabilities are the softmax averaged over those views.
Class names come from ``--label-map`` (one name per line, line i = class
i), else from the config's ``label_map`` entry when it names an existing
file, else classes are shown by index. ``--out`` writes a strip of frames of
the first view, as the model saw them, captioned with the predictions.
"""
import argparse
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from vmae_mm.apis import inference_recognizer, init_model, prepare_video
from vmae_mm.utils import run_cli

BACKGROUND = (24, 24, 24)
TEXT = (235, 235, 235)
BAR = (80, 170, 255)
FONT = cv2.FONT_HERSHEY_SIMPLEX


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Classify a video with a finetuned vmae_mm model')
    parser.add_argument('video', help='video file')
    parser.add_argument('config', help='finetuning config file')
    parser.add_argument('checkpoint', help='finetuned checkpoint')
    parser.add_argument('--label-map', help='class names, one per line '
                        "(default: the config's label_map, if any)")
    parser.add_argument('--topk', type=int, default=5,
                        help='classes to show (default: 5)')
    parser.add_argument('--out', metavar='FILE.png',
                        help='write sampled frames captioned with the '
                        'predictions here')
    parser.add_argument('--num-frames', type=int, default=8,
                        help='frames in the --out strip (default: 8)')
    parser.add_argument('--device', default='cpu',
                        help="'cpu' or 'cuda:0' (default: cpu)")
    return parser.parse_args(argv)


def prediction_strip(frames: np.ndarray,
                     lines: Sequence[Tuple[str, float]],
                     frame_names: Optional[Sequence[str]] = None,
                     min_side: int = 128) -> np.ndarray:
    """Frames side by side with the predictions written below them, each
    with a bar as long as its probability.

    Args:
        frames (ndarray): uint8 RGB ``(N, H, W, 3)``.
        lines (Sequence[tuple[str, float]]): ``(label, probability)``.
        frame_names (Sequence[str], optional): A caption above each frame
            (e.g. its index in the video). Defaults to None.
        min_side (int): Frames smaller than this are enlarged (nearest
            neighbour, integer factor). Defaults to 128.

    Returns:
        ndarray: uint8 RGB image.
    """
    n, h, w, _ = frames.shape
    factor = max(1, -(-min_side // min(h, w)))  # ceil
    frames = frames.repeat(factor, axis=1).repeat(factor, axis=2)
    h, w = h * factor, w * factor
    gap, margin, line_h, header = 4, 8, 20, 18 if frame_names else 0
    width = max(2 * margin + n * w + (n - 1) * gap, 360)
    height = 2 * margin + header + h + margin + line_h * len(lines)
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[...] = BACKGROUND
    top = margin + header
    for i, frame in enumerate(frames):
        x = margin + i * (w + gap)
        image[top:top + h, x:x + w] = frame
        if frame_names:
            cv2.putText(image, str(frame_names[i]), (x, margin + 12), FONT,
                        0.4, TEXT, 1, cv2.LINE_AA)
    bar_width = width // 4
    for i, (label, prob) in enumerate(lines):
        y = top + h + margin + i * line_h
        cv2.rectangle(image, (margin, y + 4),
                      (margin + max(1, int(bar_width * prob)), y + 14), BAR,
                      -1)
        cv2.putText(image, f'{prob * 100:5.1f}%  {label}',
                    (margin + bar_width + 8, y + 14), FONT, 0.45, TEXT, 1,
                    cv2.LINE_AA)
    return image


def first_view_frames(data: dict, num_frames: int
                      ) -> Tuple[np.ndarray, List[int]]:
    """Up to ``num_frames`` evenly spaced frames of the first view, uint8
    RGB ``(N, H, W, 3)``, and their indices in the video."""
    clip = data['inputs'][0].permute(1, 2, 3, 0).numpy()  # (T, H, W, C)
    picks = np.linspace(0, len(clip) - 1, min(num_frames, len(clip)))
    picks = picks.round().astype(int)
    inds = data['data_samples'].metainfo.get('frame_inds')
    names = [int(inds[i]) for i in picks] if inds is not None else []
    return clip[picks], names


def resolve_label_map(arg: Optional[str], model) -> Optional[str]:
    """``--label-map``, else the config's existing ``label_map`` file."""
    if arg:
        return arg
    path = model.cfg.get('label_map')
    return path if isinstance(path, str) and osp.isfile(path) else None


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    if args.out and not args.out.lower().endswith('.png'):
        raise ValueError(f'--out must name a .png file, got {args.out}')
    model = init_model(args.config, args.checkpoint, device=args.device)
    label_map = resolve_label_map(args.label_map, model)
    data = prepare_video(model, args.video)
    preds: List[Tuple[Union[str, int], float]] = inference_recognizer(
        model, data, topk=args.topk, label_map=label_map)
    views = data['inputs'].shape[0]
    print(f'{args.video}: top-{len(preds)} of {views} view(s), softmax '
          'averaged')
    for rank, (label, prob) in enumerate(preds, start=1):
        print(f'{rank:>2}. {prob:7.4f}  {label}')
    if args.out:
        frames, names = first_view_frames(data, args.num_frames)
        image = prediction_strip(frames, [(str(l), p) for l, p in preds],
                                 names)
        folder = osp.dirname(args.out)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if not cv2.imwrite(args.out, cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
            raise OSError(f'cannot write {args.out}')
        print(f'frames and predictions: {args.out}')


if __name__ == '__main__':
    run_cli(main)
