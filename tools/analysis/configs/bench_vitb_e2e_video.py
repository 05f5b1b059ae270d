# Benchmark-only config: ViT-B pretraining (tube 0.9, 16 frames at stride 4,
# multi-scale crop to 224) decoding video files with decord, 4 augmented
# clips per decoded video.
_base_ = ['../../../configs/vmae_vitb_k400.py']
num_sample = 4
train_dataloader = dict(
    batch_size=16,  # videos; the model sees batch_size * num_sample clips
    num_workers=16,
    prefetch_factor=4,
    collate_fn=dict(type='vmae_mm.stack_collate'),
    dataset=dict(
        ann_file='data/bench/train.txt',
        data_prefix=dict(video='data/bench'),
        num_sample=num_sample))
