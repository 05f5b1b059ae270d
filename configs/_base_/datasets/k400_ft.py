# Kinetics-400 finetuning data, VideoMAE's recipe:
#   train: one clip of 16 frames at stride 4 (dense sampling; frames past the
#     end of a short video repeat the last one), RandAugment
#     rand-m7-n4-mstd0.5-inc1, random resized crop (area 0.08-1, aspect
#     3/4-4/3) to 224, horizontal flip 0.5, random erasing 0.25 per clip;
#     mixup/cutmix run in the model's data preprocessor (see the leaf config).
#   val: the centre clip, short side 224, centre crop: 1 view.
#   test: 5 clips x 3 crops along the long side after short side 224:
#     15 views, softmax averaged by the Recognizer.
# Lists: tools/data/build_file_list.py kinetics400 ... (400 classes).
dataset_type = 'VideoDataset'
data_root = 'data/kinetics400/videos_train'
data_root_val = 'data/kinetics400/videos_val'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
ann_file_val = 'data/kinetics400/kinetics400_val_list_videos.txt'
ann_file_test = 'data/kinetics400/kinetics400_val_list_videos.txt'
num_frames = 16
frame_interval = 4
img_size = 224
num_sample = 1  # official 800-epoch script: 1 (code default 2: +1.0 top-1)

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
