_base_ = ['./vmae_vitb.py']
# ViT-L/16: 1024 wide, 24 blocks, 16 heads; decoder 512 / 12 blocks / 8 heads
# (the official pretraining scripts' decoder depth for ViT-L).
model = dict(
    backbone=dict(arch='large'),
    neck=dict(in_dims=1024, embed_dims=512, num_layers=12, num_heads=8))
