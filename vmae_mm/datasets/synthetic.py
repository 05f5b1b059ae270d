"""A small, deterministic, learnable video dataset of moving shapes.

The class of a clip depends only on motion: the direction and speed in
which a crowd of shapes translates, or the sense in which each shape spins.
The shapes, their number, colours, sizes and starts and the background
colour are nuisance variables, so, as in Something-Something, no single
frame tells the class.

The default style, a crowd of five to eight small shapes on a flat
background, is the one on which VideoMAE pretraining measurably helps
finetuning (``docs/synthetic_pretraining.md``); presumably because every
visible tube sees some shape pass, so the hidden ones can be predicted from
the motion. The first
version, one larger shape on a textured background, is kept as the
``'single'`` style for comparison; masked autoencoding gained nothing on it.
"""
import json
import os
import os.path as osp
from dataclasses import dataclass
from multiprocessing import Pool
from typing import Dict, List, Tuple

import cv2
import numpy as np

CLASSES = (
    'moving left slowly', 'moving left quickly',
    'moving right slowly', 'moving right quickly',
    'moving up slowly', 'moving up quickly',
    'moving down slowly', 'moving down quickly',
    'rotating clockwise', 'rotating counterclockwise',
)
#: Bump when the rendering changes, so stale copies are regenerated.
#: 1: one shape on a textured background; 2: a crowd on a flat background.
FORMAT_VERSION = 2
_DIRECTIONS = {'left': (-1, 0), 'right': (1, 0), 'up': (0, -1),
               'down': (0, 1)}


@dataclass(frozen=True)
class SceneStyle:
    """What a clip is made of.

    Attributes:
        num_shapes (tuple[int, int]): Fewest and most shapes (inclusive).
        radius (tuple[float, float]): Shape radius range, in frame sides.
        texture (bool): Add a smooth static texture (std 12 grey levels) to
            the flat background colour.
    """
    num_shapes: Tuple[int, int] = (5, 8)
    radius: Tuple[float, float] = (0.08, 0.15)
    texture: bool = False


STYLES = {
    'crowd': SceneStyle(),  # the dataset's
    'single': SceneStyle(num_shapes=(1, 1), radius=(0.12, 0.2),
                         texture=True),  # format 1's scene
}


def _shape_polygon(kind: int, radius: float) -> np.ndarray:
    """Vertices of an asymmetric shape around the origin, ``(K, 2)``."""
    if kind == 0:  # triangle
        angles = np.deg2rad([90, 210, 330])
        return np.stack([np.cos(angles), -np.sin(angles)], 1) * radius
    if kind == 1:  # rectangle, 2:1
        return np.array([[-1, -.5], [1, -.5], [1, .5], [-1, .5]]) * radius
    # an "L"
    return np.array([[-1, -1], [-.2, -1], [-.2, .4], [1, .4], [1, 1],
                     [-1, 1]]) * radius


def _class_motion(label: int, size: int) -> Tuple[np.ndarray, float]:
    """Velocity ``(2,)`` in pixels per frame and spin in radians per frame."""
    name = CLASSES[label]
    if name.startswith('moving'):
        direction = np.array(_DIRECTIONS[name.split()[1]], dtype=float)
        speed = size * (0.01 if name.endswith('slowly') else 0.03)
        return direction * speed, 0.0
    clockwise = 'counter' not in name
    return np.zeros(2), np.deg2rad(8.0) * (1 if clockwise else -1)


def render_clip(label: int, rng: np.random.Generator, num_frames: int,
                size: int, style: SceneStyle = SceneStyle()) -> np.ndarray:
    """Render one clip of class ``label``.

    Every shape moves with the class's velocity (wrapping around the frame
    edges) or spins about its centre in the class's sense.

    Returns:
        ndarray: uint8 RGB frames ``(num_frames, size, size, 3)``.
    """
    canvas = np.broadcast_to(rng.integers(0, 90, size=3).astype(float),
                             (size, size, 3))
    if style.texture:
        texture = rng.normal(0, 12, size=(size // 8, size // 8, 1))
        canvas = canvas + cv2.resize(
            texture, (size, size), interpolation=cv2.INTER_CUBIC)[..., None]
    canvas = np.clip(canvas, 0, 255).astype(np.uint8)
    velocity, spin = _class_motion(label, size)
    shapes = []
    for _ in range(int(rng.integers(style.num_shapes[0],
                                    style.num_shapes[1] + 1))):
        shapes.append(dict(
            color=tuple(int(c) for c in rng.integers(150, 256, size=3)),
            polygon=_shape_polygon(int(rng.integers(0, 3)),
                                   size * rng.uniform(*style.radius)),
            center=rng.uniform(0, size, size=2),
            angle0=rng.uniform(0, 2 * np.pi)))
    frames = np.empty((num_frames, size, size, 3), dtype=np.uint8)
    for t in range(num_frames):
        frame = canvas.copy()
        for shape in shapes:
            angle = shape['angle0'] + spin * t
            rotation = np.array([[np.cos(angle), -np.sin(angle)],
                                 [np.sin(angle), np.cos(angle)]])
            pos = np.mod(shape['center'] + velocity * t, size)
            # Draw the wrapped copies too, so a shape re-enters seamlessly.
            for dx in (-size, 0, size):
                for dy in (-size, 0, size):
                    points = shape['polygon'] @ rotation.T + pos + (dx, dy)
                    cv2.fillPoly(frame,
                                 [np.round(points * 16).astype(np.int32)],
                                 shape['color'], lineType=cv2.LINE_AA,
                                 shift=4)
        frames[t] = frame
    return frames


def write_mp4(path: str, frames: np.ndarray, fps: int = 25) -> None:
    """Write RGB frames ``(T, H, W, 3)`` as an ``mp4v`` MP4 file."""
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot open a video writer for {path}')
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def synthetic_params(num_train: int, num_val: int, num_frames: int,
                     size: int, seed: int) -> Dict:
    return dict(version=FORMAT_VERSION, num_train=num_train, num_val=num_val,
                num_frames=num_frames, size=size, seed=seed,
                classes=list(CLASSES))


def _write_sample(job: Tuple[str, int, int, int, int, int]) -> str:
    """Render and write sample ``i`` of a split; returns its list line."""
    root, split, split_seed, i, num_frames, size = job
    label = i % len(CLASSES)
    rng = np.random.default_rng([split_seed, i])
    rel = f'videos/{split}/{i:05d}.mp4'
    write_mp4(osp.join(root, rel), render_clip(label, rng, num_frames, size))
    return f'{rel} {label}'


def make_synthetic_dataset(root: str,
                           num_train: int = 400,
                           num_val: int = 100,
                           num_frames: int = 48,
                           size: int = 80,
                           seed: int = 0,
                           workers: int = 1) -> Dict[str, str]:
    """Write the dataset under ``root``.

    Layout: ``videos/{train,val}/NNNNN.mp4``, the lists ``train.txt`` and
    ``val.txt`` (``videos/train/00000.mp4 LABEL``), ``label_map.txt`` (one
    class name per line) and ``meta.json`` (the parameters). Classes are
    balanced; sample ``i`` of a split is drawn from its own seeded generator,
    so the output does not depend on anything but the arguments (not on
    ``workers``, the number of processes that write it).

    Returns:
        dict: Paths of ``train``, ``val``, ``label_map`` and ``meta``.
    """
    params = synthetic_params(num_train, num_val, num_frames, size, seed)
    paths = dict(train=osp.join(root, 'train.txt'),
                 val=osp.join(root, 'val.txt'),
                 label_map=osp.join(root, 'label_map.txt'),
                 meta=osp.join(root, 'meta.json'))
    for split, count, split_seed in (('train', num_train, seed),
                                     ('val', num_val, seed + 1)):
        os.makedirs(osp.join(root, 'videos', split), exist_ok=True)
        jobs = [(root, split, split_seed, i, num_frames, size)
                for i in range(count)]
        if workers > 1:
            with Pool(workers) as pool:
                lines: List[str] = pool.map(_write_sample, jobs)
        else:
            lines = [_write_sample(job) for job in jobs]
        with open(paths[split], 'w') as f:
            f.write('\n'.join(lines) + '\n')
    with open(paths['label_map'], 'w') as f:
        f.write('\n'.join(CLASSES) + '\n')
    # meta.json last: its presence marks a complete dataset.
    with open(paths['meta'], 'w') as f:
        json.dump(params, f, indent=2)
    return paths


def synthetic_dataset_ready(root: str, params: Dict) -> bool:
    """Whether ``root`` holds a complete copy made with ``params``."""
    meta = osp.join(root, 'meta.json')
    if not osp.isfile(meta):
        return False
    with open(meta) as f:
        return json.load(f) == params
