# VideoMAE ViT-H pretraining on Something-Something v2: tube masking 0.9,
# 16x224x224 at stride 2, 800 epochs of the official recipe.
_base_ = [
    '_base_/models/vmae_vith.py', '_base_/datasets/ssv2_pretrain.py',
    '_base_/schedules/pretrain_800e.py', '_base_/default_runtime.py'
]
