"""DecordInit/DecordDecode on real files: mp4v and MJPG, the OpenCV fallback
for widths decord 0.6.0 cannot copy, truncated files."""
import numpy as np
import pytest

from tests.conftest import gradient_frames
from vmae_mm.registry import TRANSFORMS
from vmae_mm.datasets.transforms import VideoDecodeError
from vmae_mm.datasets.transforms.loading import decode_with_opencv


def decode(path, inds):
    results = TRANSFORMS.build(dict(type='DecordInit'))(dict(filename=path))
    results['frame_inds'] = np.asarray(inds)
    return TRANSFORMS.build(dict(type='DecordDecode'))(results)


def blue_index(frames, num_frames):
    """Frame index encoded in the blue level by ``gradient_frames``."""
    return np.round(frames[..., 2].reshape(len(frames), -1).mean(1) /
                    255 * (num_frames - 1)).astype(int)


@pytest.mark.parametrize('name,fourcc', [('a.mp4', 'mp4v'),
                                         ('a.avi', 'MJPG')])
def test_decodes_the_requested_frames_in_order(make_video, name, fourcc):
    path = make_video(name, num_frames=20, size=(40, 64), fourcc=fourcc)
    out = decode(path, [7, 0, 19, 7])
    assert out['imgs'].shape == (4, 40, 64, 3)
    assert out['imgs'].dtype == np.uint8
    assert out['img_shape'] == (40, 64)
    assert 'video_reader' not in out
    np.testing.assert_array_equal(blue_index(out['imgs'], 20), [7, 0, 19, 7])


@pytest.mark.parametrize('fourcc,name', [('mp4v', 'w48.mp4'),
                                         ('MJPG', 'w72.avi')])
def test_decord_failure_falls_back_to_opencv(make_video, fourcc, name):
    width = int(name[1:3])
    path = make_video(name, num_frames=12, size=(40, width), fourcc=fourcc)
    import decord
    reader = decord.VideoReader(path, num_threads=1)
    with pytest.raises(Exception, match='size must exactly match'):
        reader.get_batch([0, 5]).asnumpy()  # the decord 0.6.0 bug
    out = decode(path, [11, 3, 3])
    assert out['imgs'].shape == (3, 40, width, 3)
    np.testing.assert_array_equal(blue_index(out['imgs'], 12), [11, 3, 3])
    reference = gradient_frames(12, 40, width)[[11, 3, 3]].astype(int)
    assert np.abs(out['imgs'].astype(int) - reference).mean() < 8


def test_opencv_decode_reports_a_short_file(make_video):
    path = make_video('short.mp4', num_frames=5)
    with pytest.raises(VideoDecodeError, match='read only 5 frames'):
        decode_with_opencv(path, [1, 9])


def test_truncated_file_is_a_decode_error(make_video):
    path = make_video('cut.mp4', num_frames=30)
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(VideoDecodeError, match='cut.mp4'):
        decode(path, [0, 1, 2])


def test_missing_file_is_a_setup_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='annotation list'):
        TRANSFORMS.build(dict(type='DecordInit'))(
            dict(filename=str(tmp_path / 'nope.mp4')))
