# Benchmark-only config: bench_vitb_e2e_rawframes.py with the crop on the
# GPU: workers read 16 JPEG frames per video and send them once; the data
# preprocessor cuts the 4 multi-scale 224x224 crops from each on the GPU.
_base_ = ['./bench_vitb_e2e_rawframes.py']
model = dict(data_preprocessor=dict(augment=dict(
    type='BatchMultiScaleCrop', input_size=224, num_samples=4)))  # the base's num_sample
train_pipeline = [
    dict(type='SampleFrames', clip_len=16, frame_interval=4, num_clips=1),
    dict(type='RawFrameDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(num_sample=1, pipeline=train_pipeline))
