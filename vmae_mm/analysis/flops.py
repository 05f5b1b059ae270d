"""Model FLOPs with fvcore, counted on the model's real forward pass.

Convention: fvcore's, **1 multiply-add = 1 FLOP** (:data:`FLOP_UNIT`), the
convention of the VideoMAE paper's table (ViT-B 16x224: 180 G). Hardware
FLOP/s count a multiply-add as 2 FLOPs; convert with a factor of 2 before
comparing against a card's peak.

What is counted: matrix products, the work that tensor cores do and that a
model-FLOPs-utilization figure compares against:

* convolutions, linear layers and ``matmul`` / ``mm`` / ``bmm`` / ``addmm``
  / ``einsum``, with fvcore's handles (:data:`COUNTED_OP_HANDLES`);
* ``aten::scaled_dot_product_attention``, which fvcore does not know, as the
  two matrix products it fuses: ``B*heads * Lq * Lk * (d_qk + d_v)``
  multiply-adds (the full attention matrix; masks and causality are not
  discounted). The explicit ``softmax(q k^T) v`` path counts the same through
  its two ``matmul`` ops.

What is deliberately not counted (:data:`IGNORED_OPS`): normalizations
(fvcore would book LayerNorm at a rough 5 per element), element-wise and
reduction ops (residual adds, GELU, softmax, scaling, mean pooling, the
sin-cos position tables) and the sorting of token indices. They
cost ``O(N*D)`` against ``O(N*D^2)`` for the matrix products (LayerNorm would
add 0.08% to ViT-B), are bound by memory rather than arithmetic, and the
published ViT/VideoMAE numbers leave them out. Any other op fvcore skips is
returned in :attr:`FlopsReport.unsupported_ops`, never silently dropped.

For a pretraining model (:class:`~vmae_mm.models.VideoMAE`) the masks are
drawn with the model's own mask generators and the traced pass is
``backbone(inputs, mask)`` then ``neck`` (the decoder, whose
``decoder_pred`` is the prediction layer), i.e. ``VideoMAE.reconstruct``.
The reconstruction target and the loss are training arithmetic, not model
FLOPs, and are not counted. A training step is taken as 3x the forward
(backward = 2x forward).

fvcore traces with ``torch.jit``, which executes the forward: on the meta
device that trace fails inside torch's shape checks (torch 2.13), so the
count runs a real batch on the model's device (CPU: ViT-B 16x224 about 2 s,
ViT-H about 11 s).
"""
import contextlib
import math
from dataclasses import dataclass, field
from typing import (Any, Callable, Dict, Iterator, List, Literal, Optional,
                    Sequence, Tuple)

import torch
from fvcore.nn import FlopCountAnalysis, flop_count_table
from fvcore.nn.jit_handles import (addmm_flop_jit, bmm_flop_jit,
                                   conv_flop_jit, einsum_flop_jit, get_shape,
                                   linear_flop_jit, matmul_flop_jit)
from torch import nn

FLOP_UNIT = 'fvcore: 1 multiply-add = 1 FLOP'

#: Forward + backward of a training step, in forwards.
TRAIN_STEP_FORWARDS = 3

FlopsMode = Literal['auto', 'pretrain', 'classify']

#: Normalizations, element-wise and reduction ops, left out on purpose (see
#: the module docstring).
IGNORED_OPS: Tuple[str, ...] = (
    # normalizations
    'aten::layer_norm', 'aten::group_norm', 'aten::batch_norm',
    'aten::instance_norm',
    # element-wise and reductions (sin/cos/pow build sin-cos position tables)
    'aten::add', 'aten::add_', 'aten::sub', 'aten::rsub', 'aten::mul',
    'aten::mul_', 'aten::div', 'aten::div_', 'aten::neg', 'aten::gelu',
    'aten::softmax', 'aten::mean', 'aten::sum', 'aten::sin', 'aten::cos',
    'aten::pow',
    # token bookkeeping: sorting indices of the visible/target tokens, and
    # allocation
    'aten::argsort', 'aten::sort', 'aten::empty_like',
)


def sdpa_flop_jit(inputs: List[Any], outputs: List[Any]) -> int:
    """fvcore handle for ``aten::scaled_dot_product_attention``.

    ``q @ k^T`` costs ``Lq * Lk * d_qk`` and ``attn @ v`` costs
    ``Lq * Lk * d_v`` multiply-adds per batch element and head.

    Args:
        inputs (list): jit values; the first three are
            ``q`` ``(..., Lq, d_qk)``,
            ``k`` ``(..., Lk, d_qk)`` and ``v`` ``(..., Lk, d_v)``.
        outputs (list): jit values (unused).

    Returns:
        int: Multiply-adds.
    """
    q_shape, k_shape, v_shape = (get_shape(value) for value in inputs[:3])
    *batch, len_q, dims_qk = q_shape
    return math.prod(batch) * len_q * k_shape[-2] * (dims_qk + v_shape[-1])


#: Every op that is counted, with its handle; fvcore's default table is
#: replaced by this one (fvcore cannot un-register a default handle).
COUNTED_OP_HANDLES: Dict[str, Callable] = {
    'aten::_convolution': conv_flop_jit,
    'aten::linear': linear_flop_jit,
    'aten::addmm': addmm_flop_jit,
    'aten::matmul': matmul_flop_jit,
    'aten::mm': matmul_flop_jit,
    'aten::bmm': bmm_flop_jit,
    'aten::einsum': einsum_flop_jit,
    'aten::scaled_dot_product_attention': sdpa_flop_jit,
}


@dataclass
class FlopsReport:
    """FLOPs of one forward pass, in multiply-adds (:data:`FLOP_UNIT`).

    Attributes:
        mode (str): ``'pretrain'`` or ``'classify'``.
        input_shape (tuple[int]): The counted input ``(B, C, T, H, W)``.
        total (int): Multiply-adds of the forward over the whole batch.
        by_module (dict[str, int]): Multiply-adds per module name (``''`` is
            the whole model), over the whole batch.
        params (int): Parameters of the model.
        unsupported_ops (dict[str, int]): Ops fvcore skipped that are not in
            :data:`IGNORED_OPS`, with their call counts.
        split (dict[str, int]): Named parts per clip, in multiply-adds
            (pretraining: ``patch_embed``, ``encoder``, ``decoder``,
            ``decoder_pred``; classification: the model's top-level parts).
        tokens (dict[str, int]): Tokens per clip seen by each part.
        analysis (FlopCountAnalysis): fvcore's analysis, for its tables.
    """

    mode: str
    input_shape: Tuple[int, ...]
    total: int
    by_module: Dict[str, int]
    params: int
    unsupported_ops: Dict[str, int]
    split: Dict[str, int]
    tokens: Dict[str, int]
    analysis: FlopCountAnalysis = field(repr=False, compare=False)

    @property
    def batch_size(self) -> int:
        return self.input_shape[0]

    @property
    def per_sample(self) -> float:
        """Forward multiply-adds per clip."""
        return self.total / self.batch_size

    @property
    def train_step_per_sample(self) -> float:
        """Multiply-adds of a training step per clip (3x the forward)."""
        return TRAIN_STEP_FORWARDS * self.per_sample

    def table(self, max_depth: int = 3) -> str:
        """fvcore's per-module table of parameters and FLOPs."""
        return flop_count_table(self.analysis, max_depth=max_depth)

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready summary (no per-module breakdown)."""
        return dict(
            unit=FLOP_UNIT,
            mode=self.mode,
            input_shape=list(self.input_shape),
            flops=self.total,
            flops_per_sample=self.per_sample,
            train_step_flops_per_sample=self.train_step_per_sample,
            params=self.params,
            split=dict(self.split),
            tokens=dict(self.tokens),
            unsupported_ops=dict(self.unsupported_ops),
        )


class _TracedForward(nn.Module):
    """Lets fvcore trace ``forward_fn`` of ``model`` with the model's own
    module names: the model's children are registered here under their
    names (the same objects, not copies), so per-module counts read
    ``backbone.blocks.0``, not ``model.backbone.blocks.0``."""

    def __init__(self, model: nn.Module, forward_fn: Callable) -> None:
        super().__init__()
        for name, child in model.named_children():
            self.add_module(name, child)
        self._forward_fn = forward_fn

    def forward(self, *inputs: torch.Tensor) -> Any:
        return self._forward_fn(*inputs)


@contextlib.contextmanager
def _eval_no_grad(model: nn.Module, device: torch.device) -> Iterator[None]:
    """Eval mode and no grad for the count; every module's train/eval flag
    and the random state (the masks are random) are restored afterwards."""
    flags = [(module, module.training) for module in model.modules()]
    devices = []
    if device.type == 'cuda':
        devices = [torch.cuda.current_device()
                   if device.index is None else device.index]
    try:
        with torch.random.fork_rng(devices=devices), torch.no_grad():
            model.eval()
            yield
    finally:
        for module, training in flags:
            module.training = training


def detect_mode(model: nn.Module) -> str:
    """``'pretrain'`` for a masked autoencoder (``draw_masks`` and
    ``reconstruct``), else ``'classify'``."""
    if hasattr(model, 'draw_masks') and hasattr(model, 'reconstruct'):
        return 'pretrain'
    return 'classify'


def default_input_shape(model: nn.Module) -> Tuple[int, int, int, int]:
    """The clip shape ``(C, T, H, W)`` the model's backbone was built for.

    Args:
        model (nn.Module): A model with a ``VisionTransformer3D``-like
            ``backbone`` (or that backbone itself).

    Returns:
        tuple[int]: ``(C, T, H, W)``.
    """
    backbone = getattr(model, 'backbone', model)
    needed = ('grid', 'tubelet_size', 'patch_size', 'patch_embed')
    if not all(hasattr(backbone, name) for name in needed):
        raise ValueError(
            f'cannot infer the input shape of {type(model).__name__}: its '
            f'backbone {type(backbone).__name__} has no token grid; pass the '
            'shape explicitly (get_flops.py --shape T H W)')
    grid = backbone.grid
    return (backbone.patch_embed.proj.in_channels,
            grid[0] * backbone.tubelet_size, grid[1] * backbone.patch_size,
            grid[2] * backbone.patch_size)


def _analysis(module: nn.Module, inputs: Tuple[torch.Tensor, ...]
              ) -> FlopCountAnalysis:
    analysis = FlopCountAnalysis(module, inputs)
    analysis.clear_op_handles()
    analysis.set_op_handle(**COUNTED_OP_HANDLES)
    analysis.set_op_handle(**dict.fromkeys(IGNORED_OPS, None))
    # Reported once through FlopsReport.unsupported_ops instead of warnings.
    analysis.unsupported_ops_warnings(False)
    # Expected: e.g. attn.qkv is applied through F.linear with its weight, so
    # its FLOPs are booked to attn.
    analysis.uncalled_modules_warnings(False)
    return analysis


def _count_pretrain(model: nn.Module, video: torch.Tensor
                    ) -> Tuple[FlopCountAnalysis, Dict[str, int]]:
    mask, target_mask = model.draw_masks(video)  # each bool (B, N)
    # The per-row counts, as the training step passes them (static shapes).
    counts = tuple(model.mask_counts(video)) if hasattr(
        model, 'mask_counts') else ()
    if target_mask is mask:  # no decoder masking: the decoder's own path

        def reconstruct(inputs, mask):
            return model.reconstruct(inputs, mask, mask, *counts)

        traced_inputs = (video, mask)
    else:

        def reconstruct(inputs, mask, target_mask):
            return model.reconstruct(inputs, mask, target_mask, *counts)

        traced_inputs = (video, mask, target_mask)
    analysis = _analysis(_TracedForward(model, reconstruct), traced_inputs)
    analysis.total()  # run the trace
    num_visible = int((~mask[0]).sum())
    num_targets = int(target_mask[0].sum())
    tokens = dict(total=mask.shape[1], encoder=num_visible,
                  decoder=num_visible + num_targets, predicted=num_targets)
    return analysis, tokens


def _count_classify(model: nn.Module, video: torch.Tensor
                    ) -> Tuple[FlopCountAnalysis, Dict[str, int]]:
    # The Recognizer's logits: backbone then cls_head, without the softmax
    # of its 'tensor' mode (which would not count anyway).
    forward_fn = getattr(model, 'logits', model)
    analysis = _analysis(_TracedForward(model, forward_fn), (video, ))
    analysis.total()
    backbone = getattr(model, 'backbone', model)
    tokens = {}
    if hasattr(backbone, 'token_grid'):
        grid = backbone.token_grid(video.shape[2:])
        tokens = dict(total=grid[0] * grid[1] * grid[2])
        tokens['encoder'] = tokens['total']
    return analysis, tokens


def _pretrain_split(by_module: Dict[str, int], batch: int) -> Dict[str, int]:
    patch_embed = by_module['backbone.patch_embed']
    split = dict(
        patch_embed=patch_embed,
        encoder=by_module['backbone'] - patch_embed,
        decoder=by_module['neck'],
        decoder_pred=by_module.get('neck.decoder_pred', 0),
    )
    return {name: value // batch for name, value in split.items()}


def count_flops(model: nn.Module,
                inputs_shape: Sequence[int],
                mode: FlopsMode = 'auto') -> FlopsReport:
    """Count a model's FLOPs on its real forward pass.

    Runs on the device of the model's parameters, in eval mode without
    gradients; the model's train/eval flags and the random state are
    restored afterwards.

    Args:
        model (nn.Module): A :class:`~vmae_mm.models.VideoMAE` (pretraining)
            or a classifier: a :class:`~vmae_mm.models.Recognizer` (counted
            through its ``logits``: backbone and ``cls_head``, one view) or
            any module whose ``forward(inputs)`` takes a clip batch
            ``(B, C, T, H, W)``.
        inputs_shape (Sequence[int]): ``(B, C, T, H, W)``.
        mode (str): ``'pretrain'`` counts ``reconstruct`` with masks drawn by
            the model's mask generators; ``'classify'`` counts
            ``logits(inputs)`` if the model has it, else ``forward(inputs)``;
            ``'auto'`` picks by the model's type.
            Defaults to ``'auto'``.

    Returns:
        FlopsReport: Multiply-adds (:data:`FLOP_UNIT`) for the batch, per
        module and per part.
    """
    inputs_shape = tuple(int(size) for size in inputs_shape)
    if len(inputs_shape) != 5:
        raise ValueError(f'inputs_shape must be (B, C, T, H, W), got '
                         f'{inputs_shape}')
    if mode == 'auto':
        mode = detect_mode(model)
    if mode not in ('pretrain', 'classify'):
        raise ValueError(f"mode must be 'auto', 'pretrain' or 'classify', "
                         f'got {mode!r}')
    if mode == 'pretrain' and detect_mode(model) != 'pretrain':
        raise TypeError(f'{type(model).__name__} has no draw_masks/'
                        "reconstruct; count it with mode='classify'")
    param = next(model.parameters())
    video = torch.zeros(inputs_shape, dtype=param.dtype, device=param.device)
    with _eval_no_grad(model, param.device):
        if mode == 'pretrain':
            analysis, tokens = _count_pretrain(model, video)
        else:
            analysis, tokens = _count_classify(model, video)
    by_module = dict(analysis.by_module())
    batch = inputs_shape[0]
    if mode == 'pretrain':
        split = _pretrain_split(by_module, batch)
    else:
        split = {name: by_module[name] // batch
                 for name, _ in model.named_children()
                 if by_module.get(name, 0) > 0}
    ignored = set(IGNORED_OPS)
    unsupported = {
        op: count
        for op, count in analysis.unsupported_ops().items()
        if op not in ignored
    }
    return FlopsReport(
        mode=mode,
        input_shape=inputs_shape,
        total=int(analysis.total()),
        by_module=by_module,
        params=sum(p.numel() for p in model.parameters()),
        unsupported_ops=unsupported,
        split=split,
        tokens=tokens,
        analysis=analysis)


def format_giga(flops: float) -> str:
    """``180347000000`` -> ``'180.35 G'``; below 0.01 G three significant
    digits (``'0.000124 G'``) so that small models do not read as zero."""
    giga = flops / 1e9
    if giga == 0 or abs(giga) >= 0.01:
        return f'{giga:.2f} G'
    return f'{giga:.3g} G'


def format_split(report: FlopsReport) -> List[str]:
    """Human-readable lines of the per-clip split, unit stated."""
    lines = [f'FLOPs per clip by part ({FLOP_UNIT}):']
    tokens = report.tokens
    if report.mode == 'pretrain':
        split = report.split
        rows = [
            ('patch embedding', split['patch_embed'],
             f'{tokens["encoder"]} of {tokens["total"]} tokens embedded'),
            ('encoder', split['encoder'],
             f'blocks + norm over {tokens["encoder"]} visible tokens'),
            ('decoder', split['decoder'],
             f'over {tokens["decoder"]} tokens, incl. encoder_to_decoder and '
             'decoder_pred'),
            ('  of which decoder_pred (head)', split['decoder_pred'],
             f'{tokens["predicted"]} predicted tokens'),
            ('forward', report.per_sample, 'the loss is not model FLOPs'),
            (f'training step ({TRAIN_STEP_FORWARDS}x forward)',
             report.train_step_per_sample, 'forward + backward'),
        ]
    else:
        rows = [(name, value, '') for name, value in report.split.items()]
        note = 'one view'
        if 'total' in tokens:
            note += f', {tokens["total"]} tokens'
        rows.append(('forward', report.per_sample, note))
    width = max(len(name) for name, _, _ in rows)
    for name, value, note in rows:
        line = f'  {name:<{width}}  {format_giga(value):>11}'
        lines.append(f'{line}  ({note})' if note else line)
    return lines


def format_unsupported(report: FlopsReport) -> Optional[str]:
    """One line naming the ops fvcore skipped that were not ignored on
    purpose, or None."""
    if not report.unsupported_ops:
        return None
    ops = ', '.join(f'{op} x{count}'
                    for op, count in sorted(report.unsupported_ops.items()))
    return f'Not counted (fvcore has no handle): {ops}'
