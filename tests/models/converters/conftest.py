"""Small random transformers VideoMAE models and inputs for parity tests."""
import pytest
import torch

transformers = pytest.importorskip('transformers')

#: The parity configuration: 2 x 2 x 2 = 8 tokens of 2x16x16 tubelets.
SMALL_HF = dict(image_size=32, patch_size=16, num_channels=3, num_frames=4,
                tubelet_size=2, hidden_size=64, num_hidden_layers=2,
                num_attention_heads=2, intermediate_size=256,
                decoder_hidden_size=32, decoder_num_hidden_layers=1,
                decoder_num_attention_heads=2, decoder_intermediate_size=128,
                layer_norm_eps=1e-6, norm_pix_loss=True, qv_bias=True)


def _randomize(model: torch.nn.Module) -> None:
    """Perturb every parameter so zero-initialized biases are tested too."""
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for param in model.parameters():
            param.add_(0.05 * torch.randn(param.shape, generator=generator))


def _original_eps(model: torch.nn.Module) -> None:
    """transformers builds fc_norm and the decoder norm with eps 1e-5 whatever
    layer_norm_eps says; the original uses 1e-6 there, and so do we."""
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.LayerNorm):
            module.eps = 1e-6


@pytest.fixture
def hf_pretrain():
    """A random ``VideoMAEForPreTraining`` in eval mode."""
    torch.manual_seed(0)
    config = transformers.VideoMAEConfig(**SMALL_HF, use_mean_pooling=False)
    model = transformers.VideoMAEForPreTraining(config).eval()
    _randomize(model)
    _original_eps(model)
    return model


@pytest.fixture
def hf_classifier():
    """A random ``VideoMAEForVideoClassification`` (5 classes), eval mode."""
    torch.manual_seed(0)
    config = transformers.VideoMAEConfig(**SMALL_HF, use_mean_pooling=True,
                                         num_labels=5)
    model = transformers.VideoMAEForVideoClassification(config).eval()
    _randomize(model)
    _original_eps(model)
    return model


@pytest.fixture
def video():
    """A normalized clip ``(B, C, T, H, W)`` = ``(2, 3, 4, 32, 32)``."""
    return torch.randn(2, 3, 4, 32, 32,
                       generator=torch.Generator().manual_seed(2))


@pytest.fixture
def mask():
    """Bool ``(2, 8)``, 6 masked tokens per row, different rows."""
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[0, [0, 1, 2, 4, 5, 7]] = True
    mask[1, [1, 2, 3, 4, 6, 7]] = True
    return mask


def assert_close_to_scale(actual: torch.Tensor, expected: torch.Tensor,
                          rel: float = 1e-5) -> None:
    """Max abs difference under ``rel`` times the output's scale."""
    scale = expected.abs().max().clamp(min=1e-12)
    diff = (actual - expected).abs().max()
    assert diff <= rel * scale, f'max abs diff {diff:.3g}, scale {scale:.3g}'


@pytest.fixture
def close_to_scale():
    return assert_close_to_scale
