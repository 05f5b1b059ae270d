# Benchmark-only config: bench_vitb_e2e_video.py with the crop on the GPU
# (as configs/vmae_vitb_k400_gpu_crop.py). Workers decode 16 frames (stride
# 4) per video and send them once; the data preprocessor cuts the 4
# multi-scale 224x224 crops from each on the GPU, so a step is 64 clips as
# before.
_base_ = ['./bench_vitb_e2e_video.py']
model = dict(data_preprocessor=dict(augment=dict(
    type='BatchMultiScaleCrop', input_size=224, num_samples=4)))  # the base's num_sample
train_dataloader = dict(dataset=dict(
    num_sample=1, pipeline={{_base_.decode_only_pipeline}}))
