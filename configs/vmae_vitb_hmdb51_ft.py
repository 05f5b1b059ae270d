# VideoMAE ViT-B finetuning on HMDB51 (split 1) from VideoMAE pretraining on
# HMDB51 itself. VideoMAE v1 ships no HMDB51 script; this is its UCF101
# recipe (AdamW (0.9, 0.999), weight decay 0.05, lr 5e-4 per 256 videos
# with layer-wise decay 0.7, 5 warm-up epochs then cosine to 1e-6, 100
# epochs at 16 videos x 8 GPUs (128) with repeated sampling 2, drop path
# 0.2, head dropout 0.5, mixup 0.8 / cutmix 1.0 with label smoothing 0.1,
# RandAugment, random erasing 0.25, flip 0.5) on 16 frames at stride 2 as
# VideoMAE v2's HMDB51 script; test 5 clips x 3 crops (the paper: 62.6
# top-1 after 4800 pretraining epochs at mask ratio 0.75). The pretraining
# checkpoint is expected under work_dirs/vmae_vitb_hmdb51/.
# The encoder starts from a pretraining checkpoint (ours, official,
# transformers or mmaction2); set `pretrained` or override it:
#   tools/dist_train.sh configs/vmae_vitb_hmdb51_ft.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=PRETRAINED.pth
#   tools/dist_test.sh configs/vmae_vitb_hmdb51_ft.py CHECKPOINT 8
_base_ = [
    '_base_/models/recognizer_vitb.py', '_base_/datasets/hmdb51_ft.py',
    '_base_/schedules/finetune.py'
]
num_classes = 51
max_epochs = 100
warmup_epochs = 5
base_lr = 5e-4  # per 256 videos (auto_scale_lr scales by the real batch)
warmup_lr = 1e-6  # per 256 videos (the original starts at 0: see the base)
min_lr = 1e-6  # per 256 videos
layer_decay = 0.7
batch_size = 16  # videos per GPU
num_sample = 2  # clips per decoded video (repeated sampling)
pretrained = 'work_dirs/vmae_vitb_hmdb51/epoch_4800.pth'

model = dict(
    backbone=dict(drop_path_rate=0.2,
                  init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                                prefix='backbone.')),
    cls_head=dict(num_classes=num_classes, dropout_ratio=0.5),
    data_preprocessor=dict(
        blending=dict(type='MixupCutmix', num_classes=num_classes,
                      mixup_alpha=0.8, cutmix_alpha=1.0, switch_prob=0.5,
                      label_smoothing=0.1)))
train_dataloader = dict(batch_size=batch_size,
                        dataset=dict(num_sample=num_sample))

# The optimizer, warm-up + cosine and best-checkpoint saving come from
# _base_/schedules/finetune.py; these are this recipe's numbers.
optim_wrapper = dict(optimizer=dict(lr=base_lr),
                     paramwise_cfg=dict(layer_decay_rate=layer_decay))
param_scheduler = [
    dict(type='LinearLR', start_factor=warmup_lr / base_lr, by_epoch=True,
         begin=0, end=warmup_epochs, convert_to_iter_based=True),
    # no end: the cosine ends at train_cfg.max_epochs; eta_min_ratio: every
    # layer's lr ends at min_lr times its layer scale
    dict(type='CosineAnnealingLR', eta_min_ratio=min_lr / base_lr,
         by_epoch=True, begin=warmup_epochs, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
