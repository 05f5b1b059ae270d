"""The visualizer reads a clip as the config samples it, deterministically."""
import os.path as osp

import cv2
import decord
import numpy as np
import pytest
from mmengine.config import Config

from vmae_mm.visualization import clip_pipeline, load_clip
from vmae_mm.visualization.clip_loading import find_sample_frames

from ..conftest import REPO_ROOT, gradient_frames, write_video

CONFIGS = osp.join(REPO_ROOT, 'configs')


def test_pipeline_takes_the_configs_frames_and_stride():
    cfg = Config.fromfile(osp.join(CONFIGS, 'vmae_vitb_ssv2.py'))
    pipeline = clip_pipeline(cfg, 224)
    sample = pipeline[1]
    assert sample == dict(type='SampleFrames', clip_len=16, frame_interval=2,
                          num_clips=1, test_mode=True)
    types = [t['type'] for t in pipeline]
    assert 'MultiScaleCrop' not in types  # no random crop
    assert pipeline[-2] == dict(type='CenterCrop', crop_size=224)


def test_sampling_is_found_inside_dataset_wrappers():
    cfg = dict(train_dataloader=dict(dataset=dict(
        type='RepeatDataset', dataset=dict(pipeline=[
            dict(type='DecordInit'),
            dict(type='SampleFrames', clip_len=8, frame_interval=4)]))))
    assert find_sample_frames(cfg)['clip_len'] == 8
    assert clip_pipeline(cfg, 32)[1]['frame_interval'] == 4


def test_config_without_sampling_is_refused():
    with pytest.raises(ValueError, match='no SampleFrames'):
        clip_pipeline(dict(train_dataloader=dict(dataset=dict(
            pipeline=[dict(type='RawFrameDecode')]))), 64)


def test_clip_is_the_centre_clip_at_the_model_size(tmp_path):
    video = write_video(str(tmp_path / 'a.mp4'), gradient_frames(40, 64, 64))
    cfg = Config.fromfile(osp.join(CONFIGS, 'vmae_vitt_synthetic.py'))
    clip, frame_inds = load_clip(video, clip_pipeline(cfg, 64))
    # 16 frames at stride 2 span 32 of 40: the centre clip starts at 4.
    assert frame_inds == list(range(4, 36, 2))
    decoded = decord.VideoReader(video).get_batch(frame_inds).asnumpy()
    assert clip.shape == (3, 16, 64, 64)
    np.testing.assert_array_equal(clip.permute(1, 2, 3, 0).numpy(), decoded)


def test_clip_is_resized_by_its_short_side_and_centre_cropped(tmp_path):
    video = write_video(str(tmp_path / 'b.mp4'), gradient_frames(20, 80, 96))
    cfg = Config.fromfile(osp.join(CONFIGS, 'vmae_vitt_synthetic.py'))
    clip, frame_inds = load_clip(video, clip_pipeline(cfg, 64))
    assert clip.shape == (3, 16, 64, 64)
    # A video shorter than the span starts at frame 0 and loops.
    assert frame_inds == [i % 20 for i in range(0, 32, 2)]
    decoded = decord.VideoReader(video).get_batch([frame_inds[3]]).asnumpy()
    resized = cv2.resize(decoded[0], (77, 64), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(clip[:, 3].permute(1, 2, 0).numpy(),
                                  resized[:, 6:70])
