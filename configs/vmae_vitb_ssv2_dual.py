# VideoMAE v2's dual masking on SSv2, ViT-B: tube masking 0.9 for the
# encoder, and running-cell decoder masking 0.5, so the decoder reconstructs
# only half of the tokens (the loss counts those the encoder did not see),
# halving the decoder's cost. Everything else is configs/vmae_vitb_ssv2.py.
_base_ = ['vmae_vitb_ssv2.py']

model = dict(
    decoder_mask_generator=dict(type='RunningCellMasking', mask_ratio=0.5))
