# Benchmark-only config: bench_vitb_e2e_rawframes.py with the crop on the
# GPU: workers read 16 JPEG frames per video and send them once; the data
# preprocessor cuts 4 multi-scale 224x224 crops from each on the GPU.
_base_ = ['../../../configs/vmae_vitb_k400_gpu_crop.py']
num_samples = 4
model = dict(data_preprocessor=dict(augment=dict(num_samples=num_samples)))
train_pipeline = [
    dict(type='SampleFrames', clip_len=16, frame_interval=4, num_clips=1),
    dict(type='RawFrameDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=16,  # videos; the model sees batch_size * num_samples clips
    num_workers=16,
    prefetch_factor=4,
    collate_fn=dict(type='vmae_mm.stack_collate'),
    dataset=dict(
        _delete_=True,
        type='RawframeDataset',
        ann_file='data/bench/rawframes.txt',
        data_prefix=dict(img='data/bench/frames'),
        pipeline=train_pipeline))
