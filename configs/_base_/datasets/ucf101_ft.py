# UCF101 finetuning data (split 1), VideoMAE's recipe: as Kinetics-400
# (16 frames at stride 4, RandAugment rand-m7-n4-mstd0.5-inc1, random resized
# crop, flip 0.5, random erasing 0.25; test 5 clips x 3 crops = 15 views) with
# repeated sampling: 2 augmented clips per decoded video.
# Lists: tools/data/build_file_list.py ucf101 ... (101 classes; splits 2 and
# 3: swap the split number in the list names).
dataset_type = 'VideoDataset'
data_root = 'data/ucf101/videos'
data_root_val = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'
ann_file_test = 'data/ucf101/ucf101_val_split_1_videos.txt'
num_frames = 16
frame_interval = 4
img_size = 224
num_sample = 2  # official UCF101 script: 2

train_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=num_frames,
         frame_interval=frame_interval, num_clips=1,
         out_of_bound_opt='repeat_last'),
    dict(type='DecordDecode'),
    dict(type='RandAugment', config_str='rand-m7-n4-mstd0.5-inc1'),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0),
         aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='RandomErasing', erase_prob=0.25, mode='pixel'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
val_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=num_frames,
         frame_interval=frame_interval, num_clips=1, test_mode=True,
         out_of_bound_opt='repeat_last'),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=num_frames,
         frame_interval=frame_interval, num_clips=5, test_mode=True,
         out_of_bound_opt='repeat_last'),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='ThreeCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=8,  # videos per GPU; the model sees batch_size * num_sample
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    # a DefaultSampler that a checkpoint can resume mid-epoch
    sampler=dict(type='ResumableSampler', shuffle=True),
    collate_fn=dict(type='vmae_mm.multi_sample_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline,
        num_sample=num_sample))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root_val),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,  # x 15 views
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root_val),
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='AccMetric', topk=(1, 5))
test_evaluator = val_evaluator
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
