"""Draw a config's masks (and, with a checkpoint, its reconstruction) over
a clip of a video.

Usage::

    python tools/visualize/show_masks.py configs/vmae_vitb_ssv2.py \\
        --video clip.mp4 --out work_dirs/masks
    python tools/visualize/show_masks.py CONFIG --video clip.mp4 --out DIR \\
        --checkpoint work_dirs/vmae_vitt_synthetic/epoch_30.pth

The clip is sampled as the config's training pipeline samples it (its
``SampleFrames`` frame count and stride, the centre clip), resized and
centre-cropped to the model's input size. Writes to ``--out``:

* ``masks.png``: the clip, then one row per strategy with its mask tinted
  over the frames (the configured generators first; with ``--strategies
  all``, every registered strategy);
* ``masks.json``: what each row shows (strategy, ratio, token grid, mask);
* ``reconstruction.png`` (with ``--checkpoint``): original / masked input /
  reconstruction under the configured mask (the mask of the first row of
  ``masks.png``: every mask is drawn under ``--seed``). Masked patches show
  the prediction un-normalized with the original patch's mean and std, as
  in VideoMAE's own visualization; visible patches show the original.
"""
import argparse
import json
import os
import os.path as osp
from typing import List, Optional

from mmengine.config import Config, DictAction

from vmae_mm.apis import init_model
from vmae_mm.utils import run_cli
from vmae_mm.visualization import (check_reconstructs, clip_pipeline,
                                   draw_model_mask, load_clip, mask_picture,
                                   reconstruction_grid, strategies_to_show,
                                   write_png)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Draw masks and reconstructions over a video clip')
    parser.add_argument('config', help='pretraining config file')
    parser.add_argument('--video', required=True, help='video file')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--checkpoint',
        help='pretrained weights; adds reconstruction.png')
    parser.add_argument(
        '--strategies', choices=['all', 'configured'], default='all',
        help="the configured mask only, or every registered strategy as "
        "well. Defaults to all.")
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of every mask. Defaults to 0.')
    parser.add_argument(
        '--trusted', action='store_true',
        help='allow arbitrary pickled objects in the checkpoint (only for '
        'files you trust)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. model.mask_generator.type='
        'RandomMasking')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    for what, path in (('config', args.config), ('video', args.video),
                       ('checkpoint', args.checkpoint)):
        if path is not None and not osp.isfile(path):
            raise FileNotFoundError(f'{what} file not found: {path}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model = init_model(cfg, args.checkpoint, trusted=args.trusted)
    if not hasattr(model, 'mask_generator'):
        raise ValueError(
            f'{args.config} builds a {type(model).__name__}, which has no '
            'mask_generator: use a pretraining (VideoMAE) config')
    backbone = model.backbone
    img_size = backbone.grid[1] * backbone.patch_size
    clip, frame_inds = load_clip(args.video, clip_pipeline(cfg, img_size))
    grid = backbone.token_grid(clip.shape[1:])
    names = [f'#{i}' for i in frame_inds]
    os.makedirs(args.out, exist_ok=True)

    rows = strategies_to_show(model, args.strategies)
    picture = mask_picture(clip, rows, grid, backbone.tubelet_size,
                           backbone.patch_size, args.seed, names)
    for reason in picture.skipped:
        print(f'skipped {reason}')
    written = [write_png(osp.join(args.out, 'masks.png'), picture.image)]
    record = dict(
        video=args.video, frame_inds=frame_inds, grid=list(grid),
        seed=args.seed, scale=picture.scale,
        rows=[dict(label=label, mask=mask.reshape(grid).int().tolist())
              for label, mask in zip(picture.labels, picture.masks)])
    written.append(osp.join(args.out, 'masks.json'))
    with open(written[-1], 'w') as f:
        json.dump(record, f)

    if args.checkpoint:
        check_reconstructs(model)
        mask = draw_model_mask(model.mask_generator, grid, args.seed)
        generator = model.mask_generator
        image = reconstruction_grid(
            model, clip, mask,
            f'{type(generator).__name__} {generator.mask_ratio:g}', names)
        written.append(write_png(osp.join(args.out, 'reconstruction.png'),
                                 image))
    for path in written:
        print(f'wrote {path}')


if __name__ == '__main__':
    run_cli(main)
