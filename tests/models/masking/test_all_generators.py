"""Contract of every registered masking strategy (a new one is tested the
moment it is registered)."""
import pytest
import torch

import vmae_mm.models.masking  # noqa: F401  (registers the generators)
from vmae_mm.models.masking import BaseMaskGenerator
from vmae_mm.registry import MASK_GENERATORS, MODELS

GRID = (8, 14, 14)
BATCH = 6
NAMES = sorted(MASK_GENERATORS.module_dict)
#: Arguments per type beyond ``mask_ratio=0.75`` (none needed so far).
EXTRA_ARGS = {}
DEVICES = ['cpu', torch.device('cpu')] + (
    ['cuda'] if torch.cuda.is_available() else [])


def build(name: str, mask_ratio: float = 0.75) -> BaseMaskGenerator:
    return MASK_GENERATORS.build(
        dict(type=name, mask_ratio=mask_ratio, **EXTRA_ARGS.get(name, {})))


def test_every_strategy_of_the_issue_is_registered():
    assert {'TubeMasking', 'RandomMasking', 'FrameMasking', 'BlockMasking',
            'RunningCellMasking'} <= set(NAMES)


@pytest.mark.parametrize('name', NAMES)
def test_shape_dtype_and_exact_count(name):
    generator = build(name)
    assert isinstance(generator, BaseMaskGenerator)
    torch.manual_seed(0)
    mask = generator(BATCH, GRID)
    num_tokens = GRID[0] * GRID[1] * GRID[2]
    assert mask.shape == (BATCH, num_tokens)
    assert mask.dtype == torch.bool
    expected = generator.num_masked(GRID)
    assert 0 < expected < num_tokens
    assert mask.sum(dim=1).tolist() == [expected] * BATCH


@pytest.mark.parametrize('device', DEVICES, ids=str)
@pytest.mark.parametrize('name', NAMES)
def test_made_on_the_requested_device(name, device):
    mask = build(name)(BATCH, GRID, device=device)
    assert mask.device.type == torch.device(device).type


@pytest.mark.parametrize('name', NAMES)
def test_meta_device_proves_no_host_round_trip(name):
    # Every op runs on the requested device: on 'meta' nothing can be read
    # back to the host, so a hidden .cpu()/.tolist() would raise here.
    mask = build(name)(BATCH, GRID, device='meta')
    assert mask.device.type == 'meta'
    assert mask.shape == (BATCH, GRID[0] * GRID[1] * GRID[2])
    assert mask.dtype == torch.bool


@pytest.mark.parametrize('name', NAMES)
def test_seeded_runs_repeat_and_seeds_differ(name):
    generator = build(name)
    torch.manual_seed(3)
    first = generator(BATCH, GRID)
    torch.manual_seed(3)
    again = generator(BATCH, GRID)
    torch.manual_seed(4)
    other = generator(BATCH, GRID)
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


@pytest.mark.parametrize('name', NAMES)
def test_samples_get_different_masks(name):
    torch.manual_seed(0)
    mask = build(name)(16, GRID)
    assert len({tuple(row.tolist()) for row in mask}) > 1


@pytest.mark.parametrize('name', NAMES)
def test_mask_ratio_can_change_between_calls(name):
    # A ratio schedule sets `mask_ratio` on the built generator.
    generator = build(name, 0.75)
    before = generator.num_masked(GRID)
    generator.mask_ratio = 0.5
    after = generator.num_masked(GRID)
    assert after < before
    assert generator(2, GRID).sum(dim=1).tolist() == [after] * 2


@pytest.mark.parametrize('ratio', [1.0, 1.5, -0.1])
@pytest.mark.parametrize('name', NAMES)
def test_invalid_ratio_is_refused(name, ratio):
    with pytest.raises(ValueError, match='mask_ratio'):
        build(name, ratio)


@pytest.mark.parametrize('grid', [(8, 14), (0, 14, 14), (8, 14, 14, 1)])
@pytest.mark.parametrize('name', NAMES)
def test_invalid_grid_is_refused(name, grid):
    with pytest.raises(ValueError, match='grid'):
        build(name)(2, grid)


@pytest.mark.parametrize('name', NAMES)
def test_repr_names_the_type_and_ratio(name):
    text = repr(build(name))
    assert text.startswith(name) and '0.75' in text


@pytest.mark.parametrize('name', NAMES)
def test_drives_a_videomae_training_step(name):
    model = MODELS.build(dict(
        type='VideoMAE',
        backbone=dict(type='VisionTransformer3D',
                      arch=dict(embed_dims=32, num_layers=1, num_heads=2,
                                mlp_dims=64),
                      img_size=64, num_frames=4),  # a (2, 4, 4) grid
        neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
                  num_layers=1, num_heads=2),
        head=dict(type='VideoMAEPretrainHead'),
        mask_generator=dict(type=name, mask_ratio=0.5,
                            **EXTRA_ARGS.get(name, {}))))
    torch.manual_seed(0)
    inputs = torch.randn(2, 3, 4, 64, 64)
    loss = model(inputs, mode='loss')['loss']
    loss.backward()
    assert torch.isfinite(loss)
    assert model.neck.mask_token.grad.abs().sum() > 0
    pred = model(inputs, mode='tensor')
    assert pred.shape == (2, model.mask_generator.num_masked((2, 4, 4)), 1536)
