# The synthetic finetuning config shrunk for tests: the tiny test encoder of
# tiny_synthetic_pretrain.py, 32x32 crops, 4-clip batches, one epoch over the
# 20 + 10-video copy of the synthetic data (data_root of the three loaders
# and the encoder checkpoint are set by the test with --cfg-options).
_base_ = ['../../configs/vmae_vitt_synthetic_ft.py']

img_size = 32
batch_size = 4
synthetic = dict(num_train=20, num_val=10, num_frames=40, size=64)
model = dict(
    backbone=dict(arch=dict(_delete_=True, embed_dims=32, num_layers=2,
                            num_heads=2, mlp_dims=64), img_size=img_size),
    cls_head=dict(in_channels=32))

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
test_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='SampleFrames', clip_len=16, frame_interval=2, num_clips=2,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
loader = dict(batch_size=batch_size, num_workers=0, persistent_workers=False)
train_dataloader = dict(
    loader, dataset=dict(synthetic, pipeline=train_pipeline))
val_dataloader = dict(
    loader, dataset=dict(synthetic, pipeline=test_pipeline))
test_dataloader = dict(
    loader, dataset=dict(synthetic, pipeline=test_pipeline))

max_epochs = 2
warmup_epochs = 1
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min_ratio=1e-3, by_epoch=True,
         begin=warmup_epochs, convert_to_iter_based=True),
]
auto_scale_lr = dict(base_batch_size=batch_size)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, max_keep_ckpts=3))
