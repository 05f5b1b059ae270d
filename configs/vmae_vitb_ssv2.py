# VideoMAE ViT-B pretraining on Something-Something v2: tube masking 0.9,
# 16x224x224 at stride 2, 800 epochs, the official recipe.
#   tools/dist_train.sh configs/vmae_vitb_ssv2.py 8
# Swap the mask by config (see configs/vmae_vitb_ssv2_random.py) or with
#   --cfg-options model.mask_generator.type=RandomMasking
_base_ = [
    '_base_/models/vmae_vitb.py', '_base_/datasets/ssv2_pretrain.py',
    '_base_/schedules/pretrain_800e.py', '_base_/default_runtime.py'
]
