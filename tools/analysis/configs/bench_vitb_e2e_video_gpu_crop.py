# Benchmark-only config: bench_vitb_e2e_video.py with the crop on the GPU.
# Workers decode 16 frames (stride 4) per video and send them once; the data
# preprocessor cuts 4 multi-scale 224x224 crops from each on the GPU
# (configs/vmae_vitb_k400_gpu_crop.py), so a step is 64 clips as before.
_base_ = ['../../../configs/vmae_vitb_k400_gpu_crop.py']
num_samples = 4
model = dict(data_preprocessor=dict(augment=dict(num_samples=num_samples)))
train_dataloader = dict(
    batch_size=16,  # videos; the model sees batch_size * num_samples clips
    num_workers=16,
    prefetch_factor=4,
    collate_fn=dict(type='vmae_mm.stack_collate'),
    dataset=dict(
        ann_file='data/bench/train.txt',
        data_prefix=dict(video='data/bench')))
