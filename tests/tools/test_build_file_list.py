"""tools/data/build_file_list.py: official annotation files (written here in
the official formats) -> lists and label maps that the datasets load."""
import json
import os

import cv2
import pytest
from mmengine.registry import init_default_scope

from vmae_mm.datasets import RawframeDataset, VideoDataset

from ..conftest import gradient_frames, run_tool, write_video

TOOL = 'tools/data/build_file_list.py'


@pytest.fixture(autouse=True)
def vmae_scope():
    init_default_scope('vmae_mm')


def load_one(dataset_cls, ann_file, prefix, decode='DecordDecode', **kw):
    pipeline = [dict(type='UniformSample', clip_len=4, test_mode=True),
                dict(type=decode), dict(type='FormatShape'),
                dict(type='PackInputs')]
    if decode == 'DecordDecode':
        pipeline.insert(0, dict(type='DecordInit'))
    dataset = dataset_cls(ann_file, pipeline, data_prefix=prefix,
                          test_mode=True, **kw)
    return dataset, dataset[0]


def test_ssv2_json_to_lists_that_load(tmp_path):
    ann = tmp_path / 'annotations'
    ann.mkdir()
    (ann / 'labels.json').write_text(json.dumps({
        'Holding something next to something': '0',
        'Pushing something from left to right': '1'}))
    entries = [{'id': '78687', 'label': 'holding a cup next to a pen',
                'template': 'Holding [something] next to [something]',
                'placeholders': ['a cup', 'a pen']},
               {'id': '1001', 'label': 'pushing a pen from left to right',
                'template': 'Pushing [something] from left to right',
                'placeholders': ['a pen']}]
    (ann / 'something-something-v2-train.json').write_text(
        json.dumps(entries))
    (ann / 'something-something-v2-validation.json').write_text(
        json.dumps(entries[1:]))
    videos = tmp_path / 'videos'
    videos.mkdir()
    for entry in entries:
        write_video(str(videos / f'{entry["id"]}.mp4'),
                    gradient_frames(12, 32, 40))
    result = run_tool([TOOL, 'ssv2', str(ann), '--out-dir',
                       str(tmp_path / 'lists'), '--video-ext', 'mp4'])
    assert result.returncode == 0, result.stderr
    lists = tmp_path / 'lists'
    assert (lists / 'ssv2_train_list_videos.txt').read_text() == \
        '78687.mp4 0\n1001.mp4 1\n'
    assert (lists / 'ssv2_val_list_videos.txt').read_text() == '1001.mp4 1\n'
    assert (lists / 'ssv2_label_map.txt').read_text().splitlines() == [
        'Holding something next to something',
        'Pushing something from left to right']
    dataset, item = load_one(VideoDataset,
                             str(lists / 'ssv2_train_list_videos.txt'),
                             dict(video=str(videos)))
    assert len(dataset) == 2
    assert item['inputs'].shape == (1, 3, 4, 32, 40)
    assert int(item['data_samples'].gt_label) == 0


def test_kinetics_csv_to_class_folder_lists_that_load(tmp_path):
    ann = tmp_path / 'annotations'
    ann.mkdir()
    header = 'label,youtube_id,time_start,time_end,split\n'
    (ann / 'train.csv').write_text(
        header + 'riding a bike,--07WQ2iBlw,1,11,train\n'
        'abseiling,-3B32lodo2M,59,69,train\n')
    (ann / 'val.csv').write_text(header +
                                 'abseiling,0wR5jVB-WPk,417,427,val\n')
    root = tmp_path / 'videos_train'
    for folder, clip in (('riding_a_bike', '--07WQ2iBlw_000001_000011.mp4'),
                         ('abseiling', '-3B32lodo2M_000059_000069.mp4')):
        (root / folder).mkdir(parents=True)
        write_video(str(root / folder / clip), gradient_frames(12, 32, 40))
    result = run_tool([TOOL, 'kinetics400', str(ann), '--class-dirs'])
    assert result.returncode == 0, result.stderr
    assert (ann / 'kinetics400_train_list_videos.txt').read_text() == (
        'riding_a_bike/--07WQ2iBlw_000001_000011.mp4 1\n'
        'abseiling/-3B32lodo2M_000059_000069.mp4 0\n')
    assert (ann / 'kinetics400_val_list_videos.txt').read_text() == \
        'abseiling/0wR5jVB-WPk_000417_000427.mp4 0\n'
    assert (ann / 'kinetics400_label_map.txt').read_text() == \
        'abseiling\nriding a bike\n'
    _, item = load_one(VideoDataset,
                       str(ann / 'kinetics400_train_list_videos.txt'),
                       dict(video=str(root)))
    assert int(item['data_samples'].gt_label) == 1


def test_ucf101_splits_as_rawframe_lists(tmp_path):
    ann = tmp_path / 'ucfTrainTestlist'
    ann.mkdir()
    (ann / 'classInd.txt').write_text('1 ApplyEyeMakeup\r\n2 Archery\r\n')
    (ann / 'trainlist01.txt').write_text(
        'Archery/v_Archery_g08_c02.avi 2\r\n')
    (ann / 'testlist01.txt').write_text(
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi\r\n')
    frames = tmp_path / 'rawframes'
    for folder, count in (('Archery/v_Archery_g08_c02', 9),
                          ('ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01', 7)):
        os.makedirs(frames / folder)
        for i, frame in enumerate(gradient_frames(count, 24, 32)):
            cv2.imwrite(str(frames / folder / f'img_{i + 1:05d}.jpg'), frame)
    result = run_tool([TOOL, 'ucf101', str(ann), '--splits', '1',
                       '--format', 'rawframes', '--frame-root', str(frames)])
    assert result.returncode == 0, result.stderr
    assert (ann / 'ucf101_train_split_1_rawframes.txt').read_text() == \
        'Archery/v_Archery_g08_c02 9 1\n'
    _, item = load_one(RawframeDataset,
                       str(ann / 'ucf101_val_split_1_rawframes.txt'),
                       dict(img=str(frames)), decode='RawFrameDecode')
    assert item['inputs'].shape == (1, 3, 4, 24, 32)
    assert int(item['data_samples'].gt_label) == 0


def test_malformed_annotation_is_one_line_naming_file_and_line(tmp_path):
    ann = tmp_path / 'annotations'
    ann.mkdir()
    (ann / 'train.csv').write_text(
        'label,youtube_id,time_start,time_end,split\nabseiling,x,1,11,train\n')
    (ann / 'val.csv').write_text(
        'label,youtube_id,time_start,time_end,split\nabseiling,y,1\n')
    result = run_tool([TOOL, 'kinetics400', str(ann)])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert 'val.csv:2: 3 fields' in lines[0]
