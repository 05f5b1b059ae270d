# The VideoMAE finetuning schedule (the official run_class_finetuning.py):
# AdamW (0.9, 0.999), weight decay 0.05 (none on biases, norms and position
# tables, as the model declares), layer-wise lr decay (lr x decay ** (depth +
# 1 - layer id): embedding 0, block i -> i + 1, head depth + 1), a linear
# warm-up over 5 epochs, then cosine down to min_lr, stepped every iteration.
# Every lr is per 256 videos of global batch and scaled linearly by
# auto_scale_lr (the original scales lr, warmup_lr and min_lr the same way);
# with repeated sampling the batch counts videos, not clips, as the original.
#
# It builds on default_runtime.py (it sets the checkpoint hook, and mmengine
# refuses a key set by two bases), so a leaf lists model, dataset and this:
#   _base_ = ['_base_/models/recognizer_vitb.py',
#             '_base_/datasets/ssv2_ft.py', '_base_/schedules/finetune.py']
# and sets its recipe's numbers once at its top, re-deriving the two
# schedulers (mmengine replaces lists whole), e.g. ViT-B on SSv2:
#   max_epochs = 50
#   warmup_epochs = 5
#   base_lr = 5e-4  # per 256 videos
#   layer_decay = 0.75
#   optim_wrapper = dict(optimizer=dict(lr=base_lr),
#                        paramwise_cfg=dict(layer_decay_rate=layer_decay))
#   param_scheduler = [
#       dict(type='LinearLR', start_factor=warmup_lr / base_lr,
#            by_epoch=True, begin=0, end=warmup_epochs,
#            convert_to_iter_based=True),
#       dict(type='CosineAnnealingLR', eta_min_ratio=min_lr / base_lr,
#            by_epoch=True, begin=warmup_epochs, convert_to_iter_based=True)]
#   train_cfg = dict(max_epochs=max_epochs)
# The cosine has no `end`: mmengine ends it at train_cfg.max_epochs, so
# `--cfg-options train_cfg.max_epochs=N` shortens the whole schedule.
# `eta_min_ratio` ends every layer at min_lr times its own layer scale, as
# the original's `lr_schedule * lr_scale`. (The original's warm-up actually
# starts at 0: its --warmup_lr flag is parsed but never reaches
# cosine_scheduler; mmengine's LinearLR needs a positive start, and 1e-6
# per 256 is 0.1-0.2% of the peak.)
#
# Exponential moving average of the weights (the original's --model_ema,
# off in all its recipes) is mmengine's EMAHook; add it to a leaf with
#   custom_hooks = [dict(type='EvalProgressBarHook'),
#                   dict(type='EMAHook', momentum=1e-4,
#                        priority='ABOVE_NORMAL')]
# (momentum = 1 - the original's decay 0.9999); validation and checkpoints
# then use the averaged weights.
_base_ = ['../default_runtime.py']

max_epochs = 100
warmup_epochs = 5
base_lr = 1e-3  # per 256 videos (ViT-B K400; leaves set theirs)
warmup_lr = 1e-6  # per 256 videos
min_lr = 1e-6  # per 256 videos
layer_decay = 0.75
val_interval = 5  # epochs between validations (and checkpoints)

# Mixed precision as the original trains (bf16 autocast, fp32 master
# weights; tools/train.py --fp32 for plain fp32) and the training forward
# compiled into CUDA graphs (torch.compile of the model's loss, mode
# 'reduce-overhead'; validation and testing stay eager). A ViT-B step of 8
# clips is short enough that launching its ~800 kernels one by one from the
# host set the pace: tools/train.py ran 0.047 s per step compiled plainly
# and 0.027 s with CUDA graphs (1.75x, one H200; the logged losses equal to
# their 4th decimal, give or take 1 in it; also under DDP on 2 H200s;
# docs/benchmarks.md). The model-step benchmark on one H100 put graphs
# 1.64x ahead for ViT-S and level for ViT-L.
# `compile = True` for plain compilation, which the ViT-H leaves keep
# (with activation checkpointing, graphs gained nothing there).
compile = dict(mode='reduce-overhead')
optim_wrapper = dict(
    type='BF16OptimWrapper',
    constructor='VideoMAEOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=base_lr, betas=(0.9, 0.999),
                   weight_decay=0.05),
    paramwise_cfg=dict(layer_decay_rate=layer_decay))
param_scheduler = [
    dict(type='LinearLR', start_factor=warmup_lr / base_lr, by_epoch=True,
         begin=0, end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min_ratio=min_lr / base_lr,
         by_epoch=True, begin=warmup_epochs, convert_to_iter_based=True),
]
train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=val_interval)
auto_scale_lr = dict(enable=True, base_batch_size=256)

# The best checkpoint by validation top-1 is kept as best_acc_top1_*.pth,
# besides the latest ones.
default_hooks = dict(
    checkpoint=dict(type='SafeCheckpointHook', interval=val_interval,
                    max_keep_ckpts=2, save_best='acc/top1', rule='greater'))
# A progress bar while validating and testing (rank 0).
custom_hooks = [dict(type='EvalProgressBarHook')]
