"""VideoMAE.reconstruct: the API the visualizer and the parity checks use
(its values against transformers are in tests/models/converters)."""
import torch

from vmae_mm.models.utils.patchify import patchify, unpatchify
from vmae_mm.registry import MODELS


def build(decoder_layers: int = 1):
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='VideoMAE',
        backbone=dict(type='VisionTransformer3D',
                      arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                                mlp_dims=64), img_size=32, num_frames=4),
        neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
                  num_layers=decoder_layers, num_heads=2),
        head=dict(type='VideoMAEPretrainHead'),
        mask_generator=dict(type='TubeMasking', mask_ratio=0.75)))
    model.init_weights()
    return model.eval()


def test_predicts_masked_tokens_from_visible_ones_only():
    model = build()
    video = torch.randn(2, 3, 4, 32, 32)
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[0, [0, 3, 5, 6]] = True
    mask[1, [1, 2, 4, 7]] = True
    with torch.no_grad():
        pred = model.reconstruct(video, mask)
        again = model.reconstruct(video, mask)
        # Scramble the pixels of the masked tubelets: nothing changes.
        patches = patchify(video, 2, 16)  # (B, N, t*p*p*C)
        noisy = torch.where(mask[..., None], torch.randn_like(patches),
                            patches)
        changed = model.reconstruct(unpatchify(noisy, (2, 2, 2), 2, 16), mask)
    assert pred.shape == (2, 4, 2 * 16 * 16 * 3)
    assert torch.equal(pred, again)  # no mask drawn inside
    torch.testing.assert_close(changed, pred)


def test_rows_come_in_token_order():
    """With no decoder blocks a masked token's prediction depends only on its
    position, so row j must be the j-th masked token (ascending index)."""
    model = build(decoder_layers=0)
    video = torch.randn(1, 3, 4, 32, 32)
    mask = torch.zeros(1, 8, dtype=torch.bool)
    mask[0, [6, 1, 3]] = True
    with torch.no_grad():
        pred = model.reconstruct(video, mask)
        for row, token in enumerate([1, 3, 6]):
            single = torch.zeros(1, 8, dtype=torch.bool)
            single[0, token] = True
            torch.testing.assert_close(
                pred[0, row], model.reconstruct(video, single)[0, 0])


def test_decoder_position_table_is_a_buffer_built_at_init():
    # Built eagerly for the model's own token count (CUDA graphs must not own
    # it), moved with the module, never saved.
    from vmae_mm.models.layers.pos_embed import sincos_table
    model = build()
    assert torch.equal(model.neck.pos_table, sincos_table(8, 16))
    assert 'neck.pos_table' in dict(model.named_buffers())
    assert not any('pos_table' in key for key in model.state_dict())
    assert model.neck.position_table(8, torch.device('cpu')) is \
        model.neck.pos_table
    # another token count still gets its own table
    other = model.neck.position_table(12, torch.device('cpu'))
    assert torch.equal(other, sincos_table(12, 16))
    assert model.to(torch.float64).neck.pos_table.dtype == torch.float64
