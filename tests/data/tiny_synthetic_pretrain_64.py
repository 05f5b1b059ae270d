# The tiny test config at 64x64 crops: a 4x4 token plane (an 8x4x4 grid)
# instead of 2x2, so every masking strategy of the ViT-B variant configs fits
# (BlockMasking's default blocks need 16 tokens per slot). Used by
# tests/tools/test_train_mask_variants.py with the variants' masks.
_base_ = ['tiny_synthetic_pretrain.py']

img_size = 64
model = dict(backbone=dict(img_size=img_size))
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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
