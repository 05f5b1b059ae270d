# VideoMAE ViT-S pretraining on Kinetics-400: tube masking 0.9,
# 16x224x224 at stride 4, 800 epochs of the official recipe.
_base_ = [
    '_base_/models/vmae_vits.py', '_base_/datasets/k400_pretrain.py',
    '_base_/schedules/pretrain_800e.py', '_base_/default_runtime.py'
]
