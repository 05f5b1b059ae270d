_base_ = ['./vmae_vitb.py']
# A tiny ViT (192 wide, 4 blocks, 3 heads) for the synthetic quick start and
# tests; decoder 96 / 2 blocks / 3 heads.
model = dict(
    backbone=dict(arch='tiny'),
    neck=dict(in_dims=192, embed_dims=96, num_layers=2, num_heads=3))
