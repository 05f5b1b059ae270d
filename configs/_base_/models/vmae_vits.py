_base_ = ['./vmae_vitb.py']
# ViT-S/16: 384 wide, 12 blocks, 6 heads; decoder 192 / 4 blocks / 3 heads.
model = dict(
    backbone=dict(arch='small'),
    neck=dict(in_dims=384, embed_dims=192, num_layers=4, num_heads=3))
