"""UniformSample: TSN segments in training, VideoMAE's SSv2 test indexing."""
import random

import numpy as np
import pytest

from vmae_mm.registry import TRANSFORMS


def sample(total, **kwargs):
    transform = TRANSFORMS.build(dict(type='UniformSample', **kwargs))
    return transform(dict(total_frames=total))


def videomae_ssv2_test_indices(total, num_segment, chunk):
    """The original's test sampling written out: segment centres and starts,
    sorted, then every second index from ``chunk`` (test_num_segment=2)."""
    tick = total / float(num_segment)
    all_index = ([int(tick / 2.0 + tick * x) for x in range(num_segment)] +
                 [int(tick * x) for x in range(num_segment)])
    all_index = list(np.sort(np.array(all_index)))
    return all_index[chunk::2]


@pytest.mark.parametrize('total', [16, 17, 40, 101, 250, 333])
def test_two_clip_test_matches_videomae(total):
    out = sample(total, clip_len=16, num_clips=2, test_mode=True)
    inds = out['frame_inds'].reshape(2, 16)
    for chunk in range(2):
        assert inds[chunk].tolist() == videomae_ssv2_test_indices(
            total, 16, chunk)
    assert out['clip_len'] == 16 and out['num_clips'] == 2


def test_single_clip_test_takes_segment_centres():
    out = sample(160, clip_len=16, test_mode=True)
    assert out['frame_inds'].tolist() == list(range(5, 160, 10))


def test_training_takes_one_frame_in_each_segment():
    random.seed(0)
    np.random.seed(0)
    seen = set()
    for _ in range(200):
        inds = sample(100, clip_len=16)['frame_inds']
        assert inds.shape == (16,)
        segment = 100 // 16
        assert np.all(inds // segment == np.arange(16))
        seen.add(tuple(inds))
    assert len(seen) > 150  # random offsets


def test_training_is_deterministic_under_a_seed():
    np.random.seed(3)
    first = sample(90, clip_len=8)['frame_inds']
    np.random.seed(3)
    np.testing.assert_array_equal(first, sample(90, clip_len=8)['frame_inds'])


@pytest.mark.parametrize('test_mode', [False, True])
def test_short_video_repeats_frames_in_order(test_mode):
    inds = sample(5, clip_len=16, test_mode=test_mode)['frame_inds']
    assert inds.shape == (16,)
    assert set(inds.tolist()) == set(range(5))
    assert np.all(np.diff(inds) >= 0)


def test_several_training_clips_are_refused():
    with pytest.raises(ValueError, match='num_sample'):
        TRANSFORMS.build(dict(type='UniformSample', clip_len=8, num_clips=2))
