"""Mean squared error that keeps only ``pred - target`` for its backward."""
from typing import Optional, Tuple

import torch


class _WeightedMSE(torch.autograd.Function):
    """``sum_k w_k * mean_d (pred - target)^2 / sum_k w_k``, keeping for the
    backward only ``pred - target`` in ``pred``'s dtype.

    Autograd's own MSE of ``pred.float()`` keeps a float32 tensor the size
    of the whole target (the difference, or the target itself) for the
    backward: under ``torch.compile`` that is the largest tensor of a
    pretraining step after the decoder's activations, written once and read
    again. Here the forward makes the loss and the difference (the target is
    never stored when it is computed in the same graph), and the backward
    scales the difference,
    ``grad = 2 * (pred - target) * w_k / (D * sum_k w_k) * grad_loss``, in
    float32. The difference is kept unscaled (order 1), so neither bf16 nor
    float16 with a loss scaler underflows it.
    """

    @staticmethod
    def forward(ctx, pred: torch.Tensor, target: torch.Tensor,
                weights: Optional[torch.Tensor]) -> torch.Tensor:
        diff = pred.float() - target  # (B, N, ...) float32
        per_token = diff.pow(2).flatten(2).mean(dim=-1)  # (B, N)
        if weights is None:
            count = None
            ctx.count = float(per_token.numel())
            loss = per_token.sum() / ctx.count
        else:
            count = weights.sum().clamp(min=1.0)
            loss = (per_token * weights).sum() / count
        ctx.save_for_backward(diff.to(pred.dtype), weights, count)
        return loss

    @staticmethod
    def backward(ctx, grad_loss: torch.Tensor
                 ) -> Tuple[torch.Tensor, None, None]:
        diff, weights, count = ctx.saved_tensors
        per_token = diff[0, 0].numel()
        if weights is None:
            count = ctx.count
        scale = grad_loss.float() * 2.0 / (count * per_token)  # ()
        if weights is not None:
            scale = weights.reshape(
                weights.shape + (1,) * (diff.dim() - 2)) * scale
        return (diff.float() * scale).to(diff.dtype), None, None


def weighted_mse(pred: torch.Tensor, target: torch.Tensor,
                 weights: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Per-token mean squared error, averaged over tokens with weights.

    Args:
        pred (Tensor): ``(B, N, ...)``, any float dtype (bf16 under
            autocast), any strides; the difference is taken in float32.
        target (Tensor): ``(B, N, ...)`` float32, no gradient; every token's
            values (the trailing dimensions) count equally.
        weights (Tensor, optional): ``(B, N)`` float32 token weights (e.g.
            1 for the tokens that count, 0 for the others). Defaults to None:
            every token counts once: ``F.mse_loss(pred.float(), target)``.

    Returns:
        Tensor: Scalar float32 loss; its gradient reaches ``pred`` only.
    """
    if target.requires_grad:
        raise ValueError('weighted_mse takes a target without gradient')
    if pred.shape != target.shape:
        raise ValueError(f'pred {tuple(pred.shape)} and target '
                         f'{tuple(target.shape)} must have the same shape')
    return _WeightedMSE.apply(pred, target, weights)
