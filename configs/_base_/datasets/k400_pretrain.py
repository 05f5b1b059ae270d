_base_ = ['./ssv2_pretrain.py']
# Kinetics-400 for pretraining: as SSv2 but 16 frames at stride 4.
data_root = 'data/kinetics400/videos_train'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'

train_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=16, frame_interval=4, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='MultiScaleCrop', input_size=224, scales=(1, .875, .75, .66)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
# the crop on the GPU, derived as in ssv2_pretrain.py
gpu_crop = dict(
    next(step for step in train_pipeline if step['type'] == 'MultiScaleCrop'),
    type='BatchMultiScaleCrop', num_samples=1)
decode_only_pipeline = [
    step for step in train_pipeline
    if step['type'] not in ('MultiScaleCrop', 'Resize')
]
train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
