# Measurement config: configs/vmae_vitb_ssv2_ft.py as users train it (bf16,
# the training forward compiled, layer-wise lr decay, mixup/cutmix in the
# data preprocessor, every default hook) with a training pipeline light
# enough on the CPU (decode, random resized crop, resize) for 16 cores to
# keep one GPU fed, so the logged step time is the Runner's own and not the
# CPU augmentation's (tools/analysis/gpu_suite.sh parts round11-round13).
# Compiled plainly, as finetuning was until the schedule took CUDA graphs;
# bench_vitb_ft_runner_cudagraphs.py is the schedule's default now.
_base_ = ['../../../configs/vmae_vitb_ssv2_ft.py']
compile = True
train_pipeline = [
    dict(type='DecordInit', num_threads=1),
    dict(type='UniformSample', clip_len=16),
    dict(type='DecordDecode'),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0),
         aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
