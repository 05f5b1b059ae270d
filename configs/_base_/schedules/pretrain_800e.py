# The official VideoMAE pretraining schedule: AdamW (0.9, 0.95), weight decay
# 0.05, lr 1.5e-4 per 256 clips of global batch (scaled by auto_scale_lr),
# linear warm-up from ~0 for 40 epochs, then cosine to 1e-5, 800 epochs.
# Mixed precision as the original trains (bf16 autocast, fp32 master weights,
# no loss scaler; tools/train.py --fp32 for plain fp32) and the model's
# forward compiled (torch.compile, about 1.5x the eager step on an H200;
# the first iteration compiles for a minute): the step docs/benchmarks.md
# measures.
max_epochs = 800
warmup_epochs = 40
base_lr = 1.5e-4  # per 256 clips
min_lr = 1e-5

optim_wrapper = dict(
    type='BF16OptimWrapper',
    constructor='VideoMAEOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=base_lr, betas=(0.9, 0.95), weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs,
         eta_min=min_lr, by_epoch=True, begin=warmup_epochs, end=max_epochs,
         convert_to_iter_based=True),
]
# Resumes mid-epoch from the sampler position saved in the checkpoint.
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(enable=True, base_batch_size=256)
compile = True
