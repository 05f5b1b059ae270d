_base_ = ['./vmae_vitb.py']
# VideoMAE v2 ViT-g/14: 1408 wide, 40 blocks, 16 heads, MLP 6144, patch 14
# (16x224x224 -> 8x16x16 = 2048 tokens, 14x14x2x3 = 1176 values per token);
# decoder 512 / 4 blocks / 8 heads, every block checkpointed.
model = dict(
    backbone=dict(arch='giant', with_cp=True),
    neck=dict(in_dims=1408, embed_dims=512, num_layers=4, num_heads=8,
              out_dims=1176, with_cp=True),
    head=dict(patch_size=14))
