# The quick-start config shrunk for tests: 32x32 crops, 4-clip batches, one
# epoch over a 20-video copy of the synthetic data (data_root is set by the
# test with --cfg-options).
_base_ = ['../../configs/vmae_vitt_synthetic.py']

img_size = 32
model = dict(
    backbone=dict(arch=dict(_delete_=True, embed_dims=32, num_layers=2, num_heads=2,
                            mlp_dims=64), img_size=img_size),
    neck=dict(in_dims=32, embed_dims=16, num_layers=1, num_heads=2))
train_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=16, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='MultiScaleCrop', input_size=img_size,
         scales=(1, .875, .75, .66)),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(num_train=20, num_val=10, num_frames=40, size=64,
                 pipeline=train_pipeline))
max_epochs = 1
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2),
]
auto_scale_lr = dict(base_batch_size=4)
# The quick start's hooks without its linear probe (which reads the full
# dataset under data/synthetic, before training too).
custom_hooks = [
    dict(type='ReconstructionVisualizationHook', interval=125,
         fixed_clip=True),
]
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, max_keep_ckpts=3))
