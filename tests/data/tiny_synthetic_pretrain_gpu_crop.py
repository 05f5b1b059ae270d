# tiny_synthetic_pretrain.py with the crop on the device: the workers only
# decode; the data preprocessor cuts 2 multi-scale crops per video.
_base_ = ['./tiny_synthetic_pretrain.py']
model = dict(data_preprocessor=dict(augment=dict(
    type='BatchMultiScaleCrop', input_size=32, num_samples=2)))
train_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=16, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
train_dataloader = dict(collate_fn=dict(type='vmae_mm.stack_collate'),
                        dataset=dict(pipeline=train_pipeline))
