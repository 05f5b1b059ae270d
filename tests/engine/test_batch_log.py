"""The start-of-run line that states the batch and the scaled lr."""
from unittest import mock

from mmengine.config import Config

from vmae_mm.engine import launch


def logged(cfg: dict, world_size: int) -> str:
    logger = mock.Mock()
    with mock.patch.object(launch.MMLogger, 'get_current_instance',
                           return_value=logger):
        launch._log_batch_and_lr(Config(cfg), world_size)
    (call, ) = logger.info.call_args_list
    return call.args[0]


OPTIM = dict(optimizer=dict(type='AdamW', lr=1e-3))
SCALE = dict(enable=True, base_batch_size=256)


def test_one_clip_per_video():
    line = logged(dict(train_dataloader=dict(batch_size=32,
                                             dataset=dict(type='X')),
                       optim_wrapper=OPTIM, auto_scale_lr=SCALE), 8)
    assert line == ('batch: 32 per process x 8 processes = 256 clips per '
                    'step; lr 0.001 per 256 clips -> 0.001 after linear '
                    'scaling')


def test_repeated_sampling_counts_videos_and_clips():
    # 2 samples per decode in the dataset, 2 crops of each on the device
    line = logged(dict(
        train_dataloader=dict(batch_size=16,
                              dataset=dict(type='X', num_sample=2)),
        model=dict(data_preprocessor=dict(augment=dict(
            type='BatchMultiScaleCrop', num_samples=2))),
        optim_wrapper=OPTIM, auto_scale_lr=SCALE), 4)
    assert line == ('batch: 16 videos per process x 4 processes = 64 '
                    'videos, 256 clips (4 per video) per step; lr 0.001 per '
                    '256 videos -> 0.00025 after linear scaling')
