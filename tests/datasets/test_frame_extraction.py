"""Frames extracted once from a real video: count, size, numbering, and the
raw-frames list written by tools/data/extract_frames.py."""
import os

import cv2
import pytest

from vmae_mm.datasets.frame_extraction import extract_frames, resized_shape

from ..conftest import run_tool


def test_every_frame_is_written_with_the_short_side_resized(
        tmp_path, make_video):
    video = make_video('clip.mp4', num_frames=12, size=(64, 96))
    out = tmp_path / 'frames' / 'clip'
    count = extract_frames(video, str(out), short_side=32, quality=90)
    assert count == 12
    names = sorted(os.listdir(out))
    assert names[0] == 'img_00001.jpg' and names[-1] == 'img_00012.jpg'
    frame = cv2.imread(str(out / 'img_00005.jpg'))
    assert frame.shape == (32, 48, 3)
    assert not (tmp_path / 'frames' / 'clip.partial').exists()


def test_missing_and_unreadable_videos_are_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.mp4'):
        extract_frames(str(tmp_path / 'nowhere.mp4'), str(tmp_path / 'out'))
    bad = tmp_path / 'bad.mp4'
    bad.write_bytes(b'not a video at all')
    with pytest.raises(RuntimeError):
        extract_frames(str(bad), str(tmp_path / 'out'))


def test_resized_shape_keeps_the_aspect():
    assert resized_shape(240, 320, 256) == (256, 341)
    assert resized_shape(240, 320, 0) == (240, 320)


def test_tool_writes_a_rawframes_list(tmp_path, make_video):
    make_video('a.mp4', num_frames=10, size=(64, 64))
    make_video('b.mp4', num_frames=14, size=(64, 64))
    (tmp_path / 'missing.mp4').write_bytes(b'')
    listing = tmp_path / 'videos.txt'
    listing.write_text('a.mp4 3\nb.mp4 5\nmissing.mp4 1\n')
    out_list = tmp_path / 'raw.txt'
    result = run_tool(['tools/data/extract_frames.py', str(listing),
                       str(tmp_path), str(tmp_path / 'frames'),
                       '--out-list', str(out_list), '--workers', '2',
                       '--short-side', '0'])
    assert result.returncode == 0, result.stderr
    assert sorted(out_list.read_text().splitlines()) == ['a 10 3', 'b 14 5']
    assert '1 failed' in result.stdout
