# VideoMAE ViT-L pretraining on Something-Something v2: tube masking 0.9,
# 16x224x224 at stride 2, 800 epochs of the official recipe, with a 12-block
# decoder as in the official ViT-L scripts.
_base_ = [
    '_base_/models/vmae_vitl.py', '_base_/datasets/ssv2_pretrain.py',
    '_base_/schedules/pretrain_800e.py', '_base_/default_runtime.py'
]
