# Benchmark-only config: ViT-B pretraining (tube 0.9, 16 frames at stride 4,
# multi-scale crop to 224) fed from JPEG frames extracted once with
# tools/data/extract_frames.py, 4 augmented clips per decoded video.
#   tools/analysis/benchmark.py THIS --mode e2e --batch 16 \
#       --cfg-options train_dataloader.dataset.ann_file=LIST \
#       train_dataloader.dataset.data_prefix.img=FRAMES
_base_ = ['../../../configs/vmae_vitb_k400.py']
num_sample = 4
train_pipeline = [
    dict(type='SampleFrames', clip_len=16, frame_interval=4, num_clips=1),
    dict(type='RawFrameDecode'),
    dict(type='MultiScaleCrop', input_size=224, scales=(1, .875, .75, .66)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=16,  # videos; the model sees batch_size * num_sample clips
    num_workers=16,
    prefetch_factor=4,
    collate_fn=dict(type='vmae_mm.stack_collate'),
    dataset=dict(
        _delete_=True,
        type='RawframeDataset',
        ann_file='data/bench/rawframes.txt',
        data_prefix=dict(img='data/bench/frames'),
        pipeline=train_pipeline,
        num_sample=num_sample))
