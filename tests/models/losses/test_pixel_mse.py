"""weighted_mse: autograd's MSE values and gradients, from a kept difference."""
import pytest
import torch
import torch.nn.functional as F

from vmae_mm.models.heads.pixel_head import VideoMAEPretrainHead
from vmae_mm.models.losses.pixel_mse import weighted_mse
from vmae_mm.models.utils.patchify import patchify


def tensors(dtype=torch.float32, shape=(2, 5, 4, 3), seed=0):
    generator = torch.Generator().manual_seed(seed)
    pred = torch.randn(shape, generator=generator).to(dtype)
    target = torch.randn(shape, generator=generator)
    weights = (torch.rand(shape[:2], generator=generator) > 0.4).float()
    return pred.requires_grad_(), target, weights


def reference(pred, target, weights, upstream):
    """The loss written out with autograd's own ops, and its gradient."""
    pred = pred.detach().clone().requires_grad_()
    per_token = (pred.float() - target).pow(2).flatten(2).mean(-1)
    loss = (per_token.mean() if weights is None else
            (per_token * weights).sum() / weights.sum())
    grad, = torch.autograd.grad(loss * upstream, pred)
    return loss.detach(), grad


@pytest.mark.parametrize('weighted', [False, True])
def test_float32_loss_and_gradient_are_autograds(weighted):
    pred, target, weights = tensors()
    weights = weights if weighted else None
    loss = weighted_mse(pred, target, weights)
    grad, = torch.autograd.grad(loss * 3.0, pred)
    expected_loss, expected_grad = reference(pred, target, weights, 3.0)
    torch.testing.assert_close(loss, expected_loss)
    torch.testing.assert_close(grad, expected_grad)


def test_unweighted_is_mse_loss():
    pred, target, _ = tensors()
    torch.testing.assert_close(weighted_mse(pred, target),
                               F.mse_loss(pred, target))


def test_zero_weight_tokens_get_no_gradient():
    pred, target, weights = tensors()
    grad, = torch.autograd.grad(weighted_mse(pred, target, weights), pred)
    assert (grad[weights == 0] == 0).all()
    assert (grad[weights == 1] != 0).any()


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_low_precision_gradient_within_two_steps_of_its_dtype(dtype):
    """The loss is float32 as autograd's; the gradient, scaled from the
    difference kept in ``pred``'s dtype, is within 2 units in the last place
    of the one autograd rounds once."""
    pred, target, weights = tensors(dtype)
    for w in (None, weights):
        loss = weighted_mse(pred, target, w)
        grad, = torch.autograd.grad(loss, pred)
        expected_loss, expected_grad = reference(pred, target, w, 1.0)
        assert grad.dtype == dtype
        torch.testing.assert_close(loss, expected_loss)
        ulp = torch.finfo(dtype).eps * expected_grad.float().abs()
        assert ((grad.float() - expected_grad.float()).abs()
                <= 2 * ulp + 1e-12).all()


def test_float16_gradient_under_a_loss_scale_does_not_underflow():
    """With many tokens the unscaled gradient, 2 * diff / numel, is below
    float16's range; a loss scaler's upstream 65536 brings it back, as it does
    for autograd's MSE."""
    pred, target, _ = tensors(torch.float16, shape=(4, 1024, 3, 512))
    grad, = torch.autograd.grad(weighted_mse(pred, target) * 65536.0, pred)
    _, expected = reference(pred, target, None, 65536.0)
    assert (expected != 0).float().mean() > 0.99
    torch.testing.assert_close(grad.float(), expected.float(), atol=1e-6,
                               rtol=2 * torch.finfo(torch.float16).eps)


def test_strided_prediction_view():
    """The head compares a channel-first view of its predictions."""
    pred, target, _ = tensors(shape=(2, 3, 8, 3))
    view = pred.transpose(-1, -2)  # (2, 3, 3, 8), not contiguous
    loss = weighted_mse(view, target.transpose(-1, -2).contiguous())
    grad, = torch.autograd.grad(loss, pred)
    torch.testing.assert_close(grad, 2 * (pred - target).detach() / pred.numel())


def test_bad_arguments_are_named():
    pred, target, _ = tensors()
    with pytest.raises(ValueError, match='same shape'):
        weighted_mse(pred, target[:, :4])
    with pytest.raises(ValueError, match='without gradient'):
        weighted_mse(pred, target.requires_grad_())


@pytest.mark.parametrize('norm_pix', [True, False])
def test_head_loss_is_mse_against_the_original_target(norm_pix):
    """The head's channel-first target and view give the original's loss:
    MSE between the predictions and the (t, p, p, c) target of the masked
    tokens, per-patch normalized with the unbiased std + 1e-6."""
    head = VideoMAEPretrainHead(norm_pix=norm_pix)
    generator = torch.Generator().manual_seed(1)
    inputs = torch.randn(2, 3, 4, 32, 32, generator=generator)
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[0, [0, 2, 3, 7]] = True
    mask[1, [1, 2, 5, 6]] = True
    pred = torch.randn(2, 4, 1536, generator=generator, requires_grad=True)

    pixels = patchify(inputs * head.std + head.mean, 2, 16)  # (B, N, 1536)
    target = pixels[mask].reshape(2, 4, 512, 3)
    if norm_pix:
        mean = target.mean(dim=-2, keepdim=True)
        std = target.var(dim=-2, unbiased=True, keepdim=True).sqrt()
        target = (target - mean) / (std + 1e-6)
    expected = F.mse_loss(pred, target.reshape(2, 4, 1536))

    loss = head.loss(pred, inputs, mask)
    torch.testing.assert_close(loss, expected)
    grad, = torch.autograd.grad(loss, pred)
    expected_grad, = torch.autograd.grad(expected, pred)
    torch.testing.assert_close(grad, expected_grad)
