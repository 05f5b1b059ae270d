"""Does pretraining on the synthetic videos help finetuning? A fast sweep.

The moving-shapes videos (``vmae_mm.datasets.synthetic``, in one of its
``STYLES``) are rendered through an mp4v round trip and kept decoded in
memory on the device; clips are cut there (random start, multi-scale crop,
resize; centre clip for validation) instead of by the loader pipeline, so a
tiny model trains thousands of steps a minute on a GPU. Everything else is
the package's: the models of ``configs/vmae_vitt_synthetic.py`` and
``configs/vmae_vitt_synthetic_ft.py``, their optimizer constructors (layer
decay in finetuning) and ``train_step``. Schedules: linear warm-up (10% of
pretraining, 2/15 of finetuning), cosine.

    # render the videos once (npy files, ~0.45 GB per style)
    python tools/analysis/synthetic_transfer.py data DIR --styles crowd single
    # pretrain (tube 0.9, normalized target) 3,000 steps; at 750 and 3,000
    # finetune 2 seeds on all 400 and on 40 labeled videos; 0 steps = scratch
    python tools/analysis/synthetic_transfer.py run DIR NAME --videos crowd \
        --steps 3000 --evals 750 3000

Each run appends JSON lines to ``DIR/NAME.jsonl``: the pretraining loss
every tenth of the run and top-1 on the 100 validation videos per
evaluation.
"""
import argparse
import json
import math
import os
import os.path as osp
import time
from multiprocessing import Pool
from typing import Callable, Dict, List, Optional, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import OptimWrapper, build_optim_wrapper
from mmengine.registry import init_default_scope

from vmae_mm.datasets import synthetic
from vmae_mm.registry import MODELS
from vmae_mm.structures import ActionDataSample

PRETRAIN_CONFIG = 'configs/vmae_vitt_synthetic.py'
FINETUNE_CONFIG = 'configs/vmae_vitt_synthetic_ft.py'
NUM_CLASSES = len(synthetic.CLASSES)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    data = sub.add_parser('data', help='render the videos')
    data.add_argument('dir')
    data.add_argument('--num-train', type=int, default=400)
    data.add_argument('--num-val', type=int, default=100)
    data.add_argument('--styles', nargs='+', default=['crowd'],
                      choices=sorted(synthetic.STYLES))
    data.add_argument('--workers', type=int, default=16)
    run = sub.add_parser('run', help='pretrain, then finetune at --evals')
    run.add_argument('dir')
    run.add_argument('name')
    run.add_argument('--videos', default='crowd',
                     help='DIR/{VIDEOS}_train.npy and _val.npy, as written '
                     'by the data command for a style')
    run.add_argument('--no-norm-pix', dest='norm_pix', action='store_false',
                     help='raw-pixel target instead of per-patch normalized')
    run.add_argument('--mask', default='TubeMasking')
    run.add_argument('--ratio', type=float, default=0.9)
    run.add_argument('--patch', type=int, default=16)
    run.add_argument('--steps', type=int, default=3000,
                     help='pretraining steps of 16 clips (0: scratch)')
    run.add_argument('--lr', type=float, default=1e-3)
    run.add_argument('--evals', type=int, nargs='+',
                     help='pretraining steps to finetune at (default: end)')
    run.add_argument('--labeled', type=int, nargs='+', default=[400, 40])
    run.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    run.add_argument('--finetune-steps', type=int, default=375)
    run.add_argument('--threads', type=int, default=2)
    return parser.parse_args()


def _render(job: Tuple[str, str, int, int]) -> np.ndarray:
    """One video after an mp4v round trip, ``(48, 80, 80, 3)`` uint8."""
    style, tmp, split_seed, index = job
    rng = np.random.default_rng([split_seed, index])
    frames = synthetic.render_clip(index % NUM_CLASSES, rng, 48, 80,
                                   synthetic.STYLES[style])
    path = osp.join(tmp, f'{style}_{split_seed}_{index}.mp4')
    synthetic.write_mp4(path, frames)
    capture = cv2.VideoCapture(path)
    decoded = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        decoded.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    os.remove(path)
    return np.stack(decoded)


def render_all(root: str, styles: List[str], num_train: int, num_val: int,
               workers: int) -> None:
    tmp = osp.join(root, 'tmp')
    os.makedirs(tmp, exist_ok=True)
    for style in styles:
        for split, count, seed in (('train', num_train, 0),
                                   ('val', num_val, 1)):
            jobs = [(style, tmp, seed, i) for i in range(count)]
            with Pool(workers) as pool:
                videos = pool.map(_render, jobs)
            np.save(osp.join(root, f'{style}_{split}.npy'), np.stack(videos))


class DeviceClips:
    """Clips of 16 frames at stride 2, 64x64, cut from decoded videos kept
    on the device; returned as uint8 ``(B, 1, C, T, H, W)``."""

    def __init__(self, videos: np.ndarray, device: torch.device,
                 size: int = 64, clip_len: int = 16, stride: int = 2):
        self.videos = torch.from_numpy(videos).to(device)  # (N, T, H, W, C)
        self.size, self.stride = size, stride
        self.span = clip_len * stride

    def __len__(self) -> int:
        return len(self.videos)

    def _resize(self, frames: torch.Tensor) -> torch.Tensor:
        # (t, H, W, C) uint8 -> (C, t, size, size) uint8
        frames = F.interpolate(frames.permute(0, 3, 1, 2).float(),
                               size=(self.size, self.size), mode='bilinear',
                               align_corners=False)
        return frames.round().clamp(0, 255).to(torch.uint8).transpose(0, 1)

    def train(self, index: torch.Tensor,
              generator: torch.Generator) -> torch.Tensor:
        """Random start and multi-scale crop (1, .875, .75, .66) per clip."""
        total, height = self.videos.shape[1], self.videos.shape[2]
        clips = []
        for i in index.tolist():
            draws = torch.rand(4, generator=generator).tolist()
            start = int(draws[0] * (total - self.span + 1))
            crop = int(height * (1, .875, .75, .66)[int(draws[1] * 4)])
            top = int(draws[2] * (height - crop + 1))
            left = int(draws[3] * (height - crop + 1))
            clips.append(self._resize(
                self.videos[i, start:start + self.span:self.stride,
                            top:top + crop, left:left + crop]))
        return torch.stack(clips)[:, None]

    def centre(self, index: torch.Tensor) -> torch.Tensor:
        """The middle clip of each video, whole frames resized."""
        start = (self.videos.shape[1] - self.span) // 2
        return torch.stack([
            self._resize(self.videos[i, start:start + self.span:self.stride])
            for i in index.tolist()
        ])[:, None]


def set_lr(optim_wrapper: OptimWrapper, step: int, total: int, warmup: int,
           min_ratio: float) -> None:
    """Linear warm-up then cosine, on every group's own peak lr."""
    if step < warmup:
        factor = (step + 1) / warmup
    else:
        progress = (step - warmup) / max(1, total - warmup)
        factor = min_ratio + (1 - min_ratio) * 0.5 * (
            1 + math.cos(math.pi * progress))
    for group in optim_wrapper.optimizer.param_groups:
        group.setdefault('peak_lr', group['lr'])
        group['lr'] = group['peak_lr'] * factor


def pretrain(args: argparse.Namespace, clips: DeviceClips,
             device: torch.device, log: Callable[[dict], None],
             on_eval: Callable[[int, Dict], None]) -> None:
    cfg = Config.fromfile(PRETRAIN_CONFIG)
    model_cfg = cfg.model
    model_cfg.backbone.patch_size = args.patch
    model_cfg.head.patch_size = args.patch
    model_cfg.head.norm_pix = args.norm_pix
    model_cfg.neck.out_dims = 2 * args.patch**2 * 3
    model_cfg.mask_generator = dict(type=args.mask, mask_ratio=args.ratio)
    model = MODELS.build(model_cfg).to(device)
    model.init_weights()
    model.train()
    cfg.optim_wrapper.optimizer.lr = args.lr
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    generator = torch.Generator().manual_seed(0)
    evals = set(args.evals or [args.steps])
    losses: List[float] = []
    start = time.time()
    for step in range(args.steps):
        set_lr(optim_wrapper, step, args.steps, args.steps // 10, 1e-2)
        index = torch.randint(0, len(clips), (16, ), generator=generator)
        out = model.train_step(dict(inputs=clips.train(index, generator)),
                               optim_wrapper)
        losses.append(float(out['loss']))
        if (step + 1) % max(1, args.steps // 10) == 0:
            log(dict(pretrain_step=step + 1,
                     first_loss=float(np.mean(losses[:20])),
                     loss=float(np.mean(losses[-50:])),
                     seconds=round(time.time() - start)))
        if step + 1 in evals:
            on_eval(step + 1, model.backbone.state_dict())
            model.train()


def finetune(args: argparse.Namespace, train: DeviceClips, val: DeviceClips,
             state: Optional[Dict], labeled: int, seed: int,
             device: torch.device) -> float:
    """Top-1 on the validation videos after finetuning on ``labeled``
    training videos (balanced over the classes)."""
    cfg = Config.fromfile(FINETUNE_CONFIG)
    cfg.model.backbone.init_cfg = None
    cfg.model.backbone.patch_size = args.patch
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model).to(device)
    model.init_weights()
    if state is not None:
        # the pretraining encoder's final norm is not used in finetuning
        _, unexpected = model.backbone.load_state_dict(state, strict=False)
        assert set(unexpected) <= {'norm.weight', 'norm.bias'}, unexpected
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    generator = torch.Generator().manual_seed(seed)
    per_class = max(1, labeled // NUM_CLASSES)
    pool = torch.cat([
        torch.arange(c, len(train), NUM_CLASSES)[:per_class]
        for c in range(NUM_CLASSES)
    ])
    steps = args.finetune_steps
    for step in range(steps):
        set_lr(optim_wrapper, step, steps, steps * 2 // 15, 1e-3)
        index = pool[torch.randint(0, len(pool), (16, ), generator=generator)]
        samples = [
            ActionDataSample().set_gt_label(int(i) % NUM_CLASSES).to(device)
            for i in index
        ]
        model.train_step(dict(inputs=train.train(index, generator),
                              data_samples=samples), optim_wrapper)
    model.eval()
    correct = 0
    with torch.no_grad():
        for first in range(0, len(val), 50):
            index = torch.arange(first, min(len(val), first + 50))
            inputs = model.data_preprocessor(
                dict(inputs=val.centre(index)), False)['inputs']
            scores = model(inputs, mode='tensor')  # (B, num_classes)
            correct += int(
                (scores.argmax(-1).cpu() == index % NUM_CLASSES).sum())
    return correct / len(val)


def main() -> None:
    args = parse_args()
    if args.command == 'data':
        render_all(args.dir, args.styles, args.num_train, args.num_val,
                   args.workers)
        return
    init_default_scope('vmae_mm')
    torch.set_num_threads(args.threads)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    train = DeviceClips(
        np.load(osp.join(args.dir, f'{args.videos}_train.npy')), device)
    val = DeviceClips(
        np.load(osp.join(args.dir, f'{args.videos}_val.npy')), device)
    settings = dict(name=args.name, videos=args.videos,
                    norm_pix=args.norm_pix, mask=args.mask, ratio=args.ratio,
                    patch=args.patch, steps=args.steps, lr=args.lr)

    def log(record: dict) -> None:
        line = json.dumps(dict(settings, **record))
        print(line, flush=True)
        with open(osp.join(args.dir, f'{args.name}.jsonl'), 'a') as f:
            f.write(line + '\n')

    def evaluate(at: int, state: Optional[Dict]) -> None:
        for labeled in args.labeled:
            top1 = [finetune(args, train, val, state, labeled, seed, device)
                    for seed in args.seeds]
            log(dict(at=at, labeled=labeled, top1=top1,
                     mean=float(np.mean(top1))))

    if args.steps > 0:
        pretrain(args, train, device, log, evaluate)
    else:
        evaluate(0, None)


if __name__ == '__main__':
    main()
