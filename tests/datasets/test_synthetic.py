"""The embedded synthetic dataset: deterministic, balanced, motion-only
classes, readable by decord, generated on first use."""
import filecmp
import os.path as osp

import decord
import numpy as np

from vmae_mm.datasets.synthetic import (CLASSES, STYLES,
                                        make_synthetic_dataset, render_clip)
from vmae_mm.datasets.synthetic_dataset import SyntheticVideoDataset


def test_generation_is_deterministic_and_independent_of_workers(tmp_path):
    a = make_synthetic_dataset(str(tmp_path / 'a'), 6, 2, 12, 64, seed=3)
    b = make_synthetic_dataset(str(tmp_path / 'b'), 6, 2, 12, 64, seed=3,
                               workers=2)
    assert filecmp.cmp(a['train'], b['train'], shallow=False)
    for i in range(6):
        rel = f'videos/train/{i:05d}.mp4'
        assert filecmp.cmp(osp.join(tmp_path, 'a', rel),
                           osp.join(tmp_path, 'b', rel), shallow=False)


def test_lists_are_balanced_and_videos_decode(tmp_path):
    paths = make_synthetic_dataset(str(tmp_path), 20, 10, 16, 64, seed=0)
    labels = [int(line.split()[1]) for line in open(paths['train'])]
    assert sorted(set(labels)) == list(range(len(CLASSES)))
    assert labels.count(0) == labels.count(9) == 2
    rel = open(paths['val']).readline().split()[0]
    reader = decord.VideoReader(osp.join(tmp_path, rel))
    assert len(reader) == 16
    assert reader[0].shape == (64, 64, 3)


def test_one_frame_does_not_tell_the_class():
    # The same seed draws the same shape, colours and start: two classes
    # then differ only from the second frame on.
    left = render_clip(0, np.random.default_rng(7), 4, 64)
    right = render_clip(2, np.random.default_rng(7), 4, 64)
    assert np.array_equal(left[0], right[0])
    assert not np.array_equal(left[3], right[3])


def test_dataset_generates_once_when_missing(tmp_path):
    root = str(tmp_path / 'syn')
    kwargs = dict(data_root=root, pipeline=[], num_train=10, num_val=4,
                  num_frames=8, size=64)
    train = SyntheticVideoDataset(split='train', **kwargs)
    assert len(train) == 10 and osp.isfile(osp.join(root, 'meta.json'))
    stamp = osp.getmtime(osp.join(root, 'train.txt'))
    val = SyntheticVideoDataset(split='val', **kwargs)
    assert len(val) == 4
    assert osp.getmtime(osp.join(root, 'train.txt')) == stamp


def shape_cell_fraction(frames, patch=16):
    """Fraction of (frame, patch) cells showing part of a shape (shapes are
    drawn in colours of at least 150 per channel, backgrounds below 90 plus
    texture)."""
    shape = frames.min(-1) >= 140
    frames_, side = shape.shape[0], shape.shape[1] // patch
    return shape.reshape(frames_, side, patch, side, patch).any((2, 4)).mean()


def test_crowd_style_puts_shapes_in_most_tubes():
    # What lets masked pretraining help: most 16x16 patches show a shape, so
    # hidden tubes can be predicted from how the visible shapes move. The
    # first format's single shape left most patches empty.
    def mean_fraction(style):
        return np.mean([
            shape_cell_fraction(render_clip(label, np.random.default_rng(s),
                                            16, 64, STYLES[style]))
            for label in range(len(CLASSES)) for s in range(3)
        ])

    assert mean_fraction('crowd') > 0.6
    assert mean_fraction('single') < 0.45


def test_every_shape_of_a_clip_moves_with_the_class():
    # 'moving right quickly' shifts every shape 0.03 * size pixels per frame
    # on a flat background, so frame t+1 is frame t shifted right. Compared
    # away from the left and right edges, where the wrapped copies meet
    # OpenCV's anti-aliased clipping; sub-pixel rounding changes some edge
    # pixels by a sixteenth of a pixel's coverage.
    size, step = 100, 3
    for seed in range(4):
        frames = render_clip(3, np.random.default_rng(seed), 2, size)
        diff = np.abs(frames[0, :, 4:-4 - step].astype(int) -
                      frames[1, :, 4 + step:-4])
        assert (diff <= 1).mean() > 0.99
        assert diff.max() <= 40
        # the other direction is wrong by far
        wrong = np.abs(frames[0, :, 4 + step:-4].astype(int) -
                       frames[1, :, 4:-4 - step])
        assert (wrong <= 1).mean() < 0.99
