# Something-Something v2 finetuning data, VideoMAE's recipe:
#   train: 16 TSN segments (one random frame each), RandAugment
#     rand-m7-n4-mstd0.5-inc1 on the full frames, random resized crop (area
#     0.08-1, aspect 3/4-4/3) to 224, no flip (left/right classes), random
#     erasing 0.25 per clip; mixup/cutmix run in the model's data
#     preprocessor (see the leaf config).
#   val: segment centres, short side 224, centre crop: 1 view.
#   test: 2 clips (segment starts, segment centres) x 3 crops along the long
#     side after short side 224: 6 views, softmax averaged by the Recognizer.
# Lists: tools/data/build_file_list.py ssv2 ... (174 classes).
dataset_type = 'VideoDataset'
data_root = 'data/ssv2/videos'
ann_file_train = 'data/ssv2/ssv2_train_list_videos.txt'
ann_file_val = 'data/ssv2/ssv2_val_list_videos.txt'
ann_file_test = 'data/ssv2/ssv2_val_list_videos.txt'
num_frames = 16
img_size = 224
num_sample = 1  # repeated sampling (clips per decoded video), official: 1

train_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='UniformSample', clip_len=num_frames),
    dict(type='DecordDecode'),
    dict(type='RandAugment', config_str='rand-m7-n4-mstd0.5-inc1'),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0),
         aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='RandomErasing', erase_prob=0.25, mode='pixel'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
val_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='UniformSample', clip_len=num_frames, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='UniformSample', clip_len=num_frames, num_clips=2,
         test_mode=True),
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
        data_prefix=dict(video=data_root),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=2,  # x 6 views
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='AccMetric', topk=(1, 5))
test_evaluator = val_evaluator
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
