# Something-Something v2 for pretraining: 16 frames at stride 2, multi-scale
# crop to 224 with scales (1, .875, .75, .66), no flip (SSv2 classes are
# direction-sensitive). Lists come from tools/data/build_file_list.py.
dataset_type = 'VideoDataset'
data_root = 'data/ssv2/videos'
ann_file_train = 'data/ssv2/ssv2_train_list_videos.txt'

train_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=16, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='MultiScaleCrop', input_size=224, scales=(1, .875, .75, .66)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
# For the configs that crop on the GPU (the *_gpu_crop leaves), derived
# from train_pipeline: its multi-scale crop as the data preprocessor's
# BatchMultiScaleCrop (same size and scales; num_samples > 1 cuts several
# clips per decoded video), and the pipeline without the crop and resize,
# so the workers only decode. A leaf takes them as {{_base_.gpu_crop}} and
# {{_base_.decode_only_pipeline}}; a base that sets its own train_pipeline
# derives them again.
gpu_crop = dict(
    next(step for step in train_pipeline if step['type'] == 'MultiScaleCrop'),
    type='BatchMultiScaleCrop', num_samples=1)
decode_only_pipeline = [
    step for step in train_pipeline
    if step['type'] not in ('MultiScaleCrop', 'Resize')
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    sampler=dict(type='ResumableSampler', shuffle=True),
    # Clips are stacked in the workers: one pinned copy, one transfer.
    collate_fn=dict(type='vmae_mm.stack_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
