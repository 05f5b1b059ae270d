_base_ = ['./vmae_vitb.py']
# ViT-H/16: 1280 wide, 32 blocks, 16 heads; decoder 640 / 12 blocks / 8 heads.
model = dict(
    backbone=dict(arch='huge'),
    neck=dict(in_dims=1280, embed_dims=640, num_layers=12, num_heads=8))
