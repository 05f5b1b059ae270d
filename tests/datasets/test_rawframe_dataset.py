"""RawframeDataset + RawFrameDecode on JPEG frames written to disk."""
import os

import cv2
import numpy as np
import pytest
import torch

from tests.conftest import gradient_frames
from vmae_mm.datasets import RawframeDataset


def write_frames(folder, num_frames, size=(32, 40), tmpl='img_{:05d}.jpg',
                 start=1):
    os.makedirs(folder, exist_ok=True)
    for i, frame in enumerate(gradient_frames(num_frames, *size)):
        cv2.imwrite(os.path.join(folder, tmpl.format(i + start)),
                    cv2.cvtColor(frame, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, 95])


def pipeline(test_mode=True, clip_len=8):
    return [
        dict(type='UniformSample', clip_len=clip_len, test_mode=test_mode),
        dict(type='RawFrameDecode'),
        dict(type='FormatShape'),
        dict(type='PackInputs'),
    ]


@pytest.fixture
def frame_root(tmp_path):
    write_frames(tmp_path / 'rawframes' / 'cls' / 'v0', 16)
    write_frames(tmp_path / 'rawframes' / 'cls' / 'v1', 24)
    ann = tmp_path / 'list.txt'
    ann.write_text('cls/v0 16 2\ncls/v1 24 5\n')
    return str(ann), str(tmp_path / 'rawframes')


def test_decodes_the_sampled_frames(frame_root):
    ann_file, root = frame_root
    dataset = RawframeDataset(ann_file, pipeline(),
                              data_prefix=dict(img=root), test_mode=True)
    assert len(dataset) == 2
    item = dataset[1]
    assert item['inputs'].shape == (1, 3, 8, 32, 40)
    assert item['inputs'].dtype == torch.uint8
    sample = item['data_samples']
    assert int(sample.gt_label) == 5
    assert sample.frame_dir == os.path.join(root, 'cls/v1')
    inds = sample.frame_inds  # segment centres of 24 frames: 1, 4, 7, ...
    assert inds.tolist() == [1, 4, 7, 10, 13, 16, 19, 22]
    blue = item['inputs'][0, 2].float().mean(dim=(1, 2))
    np.testing.assert_array_equal(torch.round(blue / 255 * 23).long(), inds)


def test_custom_template_and_start_index(tmp_path):
    write_frames(tmp_path / 'v', 8, tmpl='{:06d}.jpg', start=0)
    (tmp_path / 'list.txt').write_text('v 8 0\n')
    dataset = RawframeDataset(str(tmp_path / 'list.txt'), pipeline(),
                              data_prefix=dict(img=str(tmp_path)),
                              filename_tmpl='{:06d}.jpg', start_index=0,
                              test_mode=True)
    assert dataset[0]['inputs'].shape == (1, 3, 8, 32, 40)


def test_missing_frame_is_skipped_in_training_and_fails_a_test(frame_root):
    ann_file, root = frame_root
    os.remove(os.path.join(root, 'cls', 'v0', 'img_00010.jpg'))
    test_set = RawframeDataset(ann_file, pipeline(),
                               data_prefix=dict(img=root), test_mode=True)
    with pytest.raises(Exception, match='img_00010.jpg'):
        test_set[0]
    train_set = RawframeDataset(ann_file, pipeline(test_mode=False,
                                                   clip_len=16),
                                data_prefix=dict(img=root))
    item = train_set[0]  # replaced by the readable video
    assert int(item['data_samples'].gt_label) == 5
    assert train_set.num_skipped >= 1


def test_repeated_sampling_with_raw_frames(frame_root):
    ann_file, root = frame_root
    steps = pipeline(test_mode=False)
    steps.insert(2, dict(type='RandomResizedCrop'))
    steps.insert(3, dict(type='Resize', scale=(16, 16), keep_ratio=False))
    dataset = RawframeDataset(ann_file, steps, data_prefix=dict(img=root),
                              num_sample=2)
    item = dataset[0]
    assert len(item) == 2
    assert item[0]['inputs'].shape == (1, 3, 8, 16, 16)


def test_missing_folder_is_a_setup_error(frame_root):
    ann_file, root = frame_root
    dataset = RawframeDataset(ann_file, pipeline(),
                              data_prefix=dict(img=root + '_typo'))
    with pytest.raises(FileNotFoundError, match='frame folder not found'):
        dataset[0]


def test_malformed_lines_name_the_line(tmp_path):
    ann = tmp_path / 'list.txt'
    ann.write_text('v0 16 1\nv1 sixteen 2\n')
    with pytest.raises(ValueError, match='list.txt:2'):
        RawframeDataset(str(ann), [])
    ann.write_text('v0 1\n')
    with pytest.raises(ValueError, match='dir total_frames label'):
        RawframeDataset(str(ann), [])
