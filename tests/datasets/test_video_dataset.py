"""VideoDataset on real files: repeated sampling decodes once, undecodable
videos are skipped with a warning while the epoch completes, short videos
repeat frames."""
import logging
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler
from mmengine.logging import MMLogger
from torch.utils.data import DataLoader

from vmae_mm.datasets import VideoDataset, multi_sample_collate
from vmae_mm.datasets.transforms import DecordDecode
from vmae_mm.models.data_preprocessors import VideoDataPreprocessor


class CountingDecode(DecordDecode):
    """The real decoder, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def transform(self, results):
        self.calls += 1
        return super().transform(results)


def write_list(path, lines):
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return str(path)


def train_pipeline(decode=None, clip_len=4):
    return [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=clip_len, frame_interval=2),
        decode or dict(type='DecordDecode'),
        dict(type='RandAugment'),
        dict(type='RandomResizedCrop'),
        dict(type='Resize', scale=(32, 32), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
        dict(type='FormatShape'),
        dict(type='PackInputs'),
    ]


@pytest.fixture
def two_videos(tmp_path, make_video):
    make_video('a.mp4', num_frames=30, size=(48, 64))
    make_video('b.avi', num_frames=20, size=(40, 56), fourcc='MJPG')
    return write_list(tmp_path / 'list.txt', ['a.mp4 0', 'b.avi 3']), \
        str(tmp_path)


def test_repeated_sampling_decodes_once_and_augments_each_clip(two_videos):
    ann_file, root = two_videos
    decode = CountingDecode()
    dataset = VideoDataset(ann_file, train_pipeline(decode),
                           data_prefix=dict(video=root), num_sample=4)
    torch.manual_seed(0)
    np.random.seed(0)
    item = dataset[0]
    assert decode.calls == 1
    assert isinstance(item, list) and len(item) == 4
    clips = [sample['inputs'] for sample in item]
    assert all(c.shape == (1, 3, 4, 32, 32) for c in clips)
    assert all(int(s['data_samples'].gt_label) == 0 for s in item)
    # the same frames (one decode) ...
    frame_inds = [s['data_samples'].frame_inds for s in item]
    assert all(np.array_equal(frame_inds[0], f) for f in frame_inds)
    # ... augmented independently
    for i in range(4):
        for j in range(i + 1, 4):
            assert not torch.equal(clips[i], clips[j])


def test_collate_flattens_repeated_samples_for_the_model(two_videos):
    ann_file, root = two_videos
    dataset = VideoDataset(ann_file, train_pipeline(),
                           data_prefix=dict(video=root), num_sample=3)
    loader = DataLoader(dataset, batch_size=2,
                        collate_fn=multi_sample_collate)
    batch = next(iter(loader))
    assert len(batch['inputs']) == 6
    labels = [int(s.gt_label) for s in batch['data_samples']]
    assert labels == [0, 0, 0, 3, 3, 3]
    data = VideoDataPreprocessor()(batch, training=True)
    assert data['inputs'].shape == (6, 3, 4, 32, 32)


def test_single_samples_pass_the_collate_unchanged(two_videos):
    ann_file, root = two_videos
    dataset = VideoDataset(ann_file, train_pipeline(),
                           data_prefix=dict(video=root))
    batch = multi_sample_collate([dataset[0], dataset[1]])
    assert len(batch['inputs']) == 2


class Records(logging.Handler):

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_truncated_video_is_skipped_and_the_epoch_completes(
        tmp_path, make_video):
    names = [f'v{i}.mp4' for i in range(5)]
    for name in names:
        make_video(name, num_frames=24)
    broken = tmp_path / 'v2.mp4'
    data = broken.read_bytes()
    broken.write_bytes(data[:len(data) // 3])
    ann_file = write_list(tmp_path / 'list.txt',
                          [f'{n} {i}' for i, n in enumerate(names)])
    dataset = VideoDataset(ann_file, train_pipeline(),
                           data_prefix=dict(video=str(tmp_path)),
                           num_sample=2)
    handler = Records()
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        loader = DataLoader(dataset, batch_size=2,
                            sampler=DefaultSampler(dataset, shuffle=False),
                            collate_fn=multi_sample_collate)
        batches = list(loader)
    finally:
        logger.removeHandler(handler)
    assert sum(len(b['inputs']) for b in batches) == 5 * 2  # a full epoch
    warnings = [m for m in handler.messages if 'undecodable' in m]
    assert len(warnings) == 1 and osp.join(str(tmp_path), 'v2.mp4') in \
        warnings[0]
    assert dataset.num_skipped >= 1
    labels = [int(s.gt_label) for b in batches for s in b['data_samples']]
    assert 2 not in labels  # replaced by other videos


def test_undecodable_video_fails_a_test(tmp_path, make_video):
    path = make_video('bad.mp4', num_frames=24)
    with open(path, 'r+b') as f:
        f.truncate(200)
    ann_file = write_list(tmp_path / 'list.txt', ['bad.mp4 0'])
    pipeline = train_pipeline()[:3]
    dataset = VideoDataset(ann_file, pipeline,
                           data_prefix=dict(video=str(tmp_path)),
                           test_mode=True)
    with pytest.raises(Exception, match='bad.mp4'):
        dataset[0]


def test_short_video_yields_repeated_frames(tmp_path, make_video):
    make_video('short.mp4', num_frames=6, size=(32, 32))
    ann_file = write_list(tmp_path / 'list.txt', ['short.mp4 1'])
    pipeline = [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=8, frame_interval=2,
             out_of_bound_opt='repeat_last'),
        dict(type='DecordDecode'),
        dict(type='FormatShape'),
        dict(type='PackInputs'),
    ]
    dataset = VideoDataset(ann_file, pipeline,
                           data_prefix=dict(video=str(tmp_path)))
    item = dataset[0]
    assert item['inputs'].shape == (1, 3, 8, 32, 32)
    inds = item['data_samples'].frame_inds.tolist()
    assert inds == [0, 2, 4, 5, 5, 5, 5, 5]
    blue = item['inputs'][0, 2].float().mean(dim=(1, 2))  # (T,)
    index = torch.round(blue / 255 * 5).long().tolist()
    assert index == inds


def test_repeated_sampling_needs_a_decode_step_and_training(two_videos):
    ann_file, root = two_videos
    with pytest.raises(ValueError, match='decode transform'):
        VideoDataset(ann_file, [dict(type='PackInputs')],
                     data_prefix=dict(video=root), num_sample=2)
    with pytest.raises(ValueError, match='for training'):
        VideoDataset(ann_file, train_pipeline(),
                     data_prefix=dict(video=root), num_sample=2,
                     test_mode=True)


def test_malformed_list_names_the_line(tmp_path):
    ann_file = write_list(tmp_path / 'list.txt', ['a.mp4 0', 'b.mp4 x'])
    with pytest.raises(ValueError, match='list.txt:2'):
        VideoDataset(ann_file, [])
