"""VideoMAE v2's dual masking: the decoder reconstructs only the tokens its
own mask leaves open, and the loss counts those the encoder did not see."""
from typing import Optional

import pytest
import torch

from vmae_mm.models.heads.pixel_head import IMAGENET_MEAN, IMAGENET_STD
from vmae_mm.registry import MODELS

# 4 frames of 32x32 in 2x16x16 tubelets: a (2, 2, 2) grid, N = 8.
GRID = (2, 2, 2)
N = 8
ENC_MASKED = 2 * int(0.75 * 4)  # TubeMasking(0.75): 3 of 4 per slot
DEC_MASKED = 4  # RunningCellMasking(0.5): 2 of every 2x2 cell


def build_model(decoder_masking: bool):
    cfg = dict(
        type='VideoMAE',
        backbone=dict(
            type='VisionTransformer3D',
            arch=dict(embed_dims=32, num_layers=2, num_heads=2, mlp_dims=64),
            img_size=32, num_frames=4),
        neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
                  num_layers=1, num_heads=2),
        head=dict(type='VideoMAEPretrainHead'),
        mask_generator=dict(type='TubeMasking', mask_ratio=0.75),
        decoder_mask_generator=(
            dict(type='RunningCellMasking', mask_ratio=0.5)
            if decoder_masking else None))
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def clip(batch: int = 3) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    return torch.randn(batch, 3, 4, 32, 32, generator=generator)


def smooth_clip(batch: int = 2) -> torch.Tensor:
    """A deterministic clip of moving sine gratings, one per channel: per
    tubelet structure that a tiny model can learn to fill in."""
    t = torch.arange(4.0).view(1, 1, 4, 1, 1)
    y = torch.arange(32.0).view(1, 1, 1, 32, 1)
    x = torch.arange(32.0).view(1, 1, 1, 1, 32)
    c = torch.arange(3.0).view(1, 3, 1, 1, 1)
    b = torch.arange(float(batch)).view(-1, 1, 1, 1, 1)
    return torch.sin(0.3 * x + 0.2 * y * (1 + c) + 0.5 * t + b)


def hand_target(inputs: torch.Tensor) -> torch.Tensor:
    """Per-tubelet normalized pixels ``(B, N, 1536)``, token by token."""
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1, 1)
    pixels = inputs * std + mean
    tokens = []
    for t in range(2):
        for h in range(2):
            for w in range(2):
                cube = pixels[:, :, 2 * t:2 * t + 2, 16 * h:16 * h + 16,
                              16 * w:16 * w + 16]  # (B, C, 2, 16, 16)
                values = cube.permute(0, 2, 3, 4, 1).reshape(-1, 512, 3)
                mu = values.mean(dim=1, keepdim=True)
                sigma = values.var(dim=1, unbiased=True, keepdim=True).sqrt()
                tokens.append(((values - mu) / (sigma + 1e-6)).reshape(
                    -1, 1536))
    return torch.stack(tokens, dim=1)


def hand_loss(pred: torch.Tensor, inputs: torch.Tensor, mask: torch.Tensor,
              target_mask: Optional[torch.Tensor]) -> torch.Tensor:
    """Mean over predicted-and-hidden tokens of each token's mean squared
    error."""
    target = hand_target(inputs)
    total, count = 0.0, 0
    for b in range(inputs.shape[0]):
        predicted = target_mask[b].nonzero()[:, 0].tolist()
        for slot, token in enumerate(predicted):
            if mask[b, token]:
                err = (pred[b, slot] - target[b, token]).pow(2).mean()
                total, count = total + err, count + 1
    return total / count


@pytest.mark.parametrize('decoder_masking, num_predicted', [
    (False, ENC_MASKED), (True, N - DEC_MASKED)])
def test_prediction_shapes(decoder_masking, num_predicted):
    model = build_model(decoder_masking)
    inputs = clip()
    torch.manual_seed(0)
    mask, target_mask = model.draw_masks(inputs)
    assert mask.shape == target_mask.shape == (3, N)
    assert mask.sum(dim=1).tolist() == [ENC_MASKED] * 3
    assert target_mask.sum(dim=1).tolist() == [num_predicted] * 3
    if not decoder_masking:
        assert torch.equal(mask, target_mask)
    pred = model(inputs, mode='tensor')
    assert pred.shape == (3, num_predicted, 1536)


def test_decoder_predicts_where_its_mask_is_false():
    model = build_model(True)
    inputs = clip()
    torch.manual_seed(5)
    mask, target_mask = model.draw_masks(inputs)
    torch.manual_seed(5)
    encoder_mask = model.mask_generator(3, GRID)
    decoder_mask = model.decoder_mask_generator(3, GRID)
    assert torch.equal(mask, encoder_mask)
    assert torch.equal(target_mask, ~decoder_mask)


@pytest.mark.parametrize('decoder_masking', [False, True])
def test_loss_is_the_masked_weighted_mse(decoder_masking):
    model = build_model(decoder_masking)
    inputs = clip()
    torch.manual_seed(7)
    mask, target_mask = model.draw_masks(inputs)
    with torch.no_grad():
        pred = model.reconstruct(inputs, mask, target_mask)
        torch.manual_seed(7)  # the same masks inside loss()
        loss = model(inputs, mode='loss')['loss']
    expected = hand_loss(pred, inputs, mask, target_mask)
    if decoder_masking:
        # Some predicted tokens were visible to the encoder and do not count.
        assert (target_mask & ~mask).any()
    torch.testing.assert_close(loss, expected, rtol=1e-5, atol=1e-6)


def test_visible_predicted_tokens_get_no_gradient():
    model = build_model(True)
    inputs = clip()
    torch.manual_seed(7)
    mask, target_mask = model.draw_masks(inputs)
    pred = torch.randn(3, N - DEC_MASKED, 1536, requires_grad=True)
    model.head.loss(pred, inputs, target_mask, mask).backward()
    hidden = torch.stack([mask[b][target_mask[b]] for b in range(3)])
    grad_norm = pred.grad.norm(dim=-1)  # (B, N_tgt)
    assert (grad_norm[~hidden] == 0).all()
    assert (grad_norm[hidden] > 0).all()


@pytest.mark.parametrize('optimizer', ['SGD', 'AdamW'])
def test_loss_falls_on_a_fixed_clip(optimizer):
    model = build_model(True)
    inputs = smooth_clip()
    if optimizer == 'SGD':
        optim = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
    else:
        optim = torch.optim.AdamW(model.parameters(), lr=2e-3)
    losses = []
    for step in range(30):
        torch.manual_seed(step % 3)  # three fixed mask draws, revisited
        loss = model(inputs, mode='loss')['loss']
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    assert all(torch.isfinite(torch.tensor(losses)))
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    # About 1.0 (an untrained decoder against unit-variance targets) to
    # 0.75 (SGD) and 0.6 (AdamW) here.
    assert last < 0.85 * first, losses
