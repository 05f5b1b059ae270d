"""stack_collate: repeated samples flattened, clips stacked in the worker,
and the data preprocessor taking stacked or listed clips alike."""
import torch

from vmae_mm.datasets.stack_collate import stack_collate
from vmae_mm.models.data_preprocessors import VideoDataPreprocessor
from vmae_mm.registry import FUNCTIONS
from vmae_mm.structures import ActionDataSample


def _sample(value: int, label: int) -> dict:
    clip = torch.full((1, 3, 2, 4, 4), value, dtype=torch.uint8)
    return dict(inputs=clip,
                data_samples=ActionDataSample().set_gt_label(label))


def test_repeated_samples_are_flattened_in_order_and_stacked():
    batch = stack_collate([[_sample(1, 0), _sample(2, 0)], _sample(3, 1)])
    assert batch['inputs'].shape == (3, 1, 3, 2, 4, 4)
    assert batch['inputs'][:, 0, 0, 0, 0, 0].tolist() == [1, 2, 3]
    labels = [s.gt_label.item() for s in batch['data_samples']]
    assert labels == [0, 0, 1]


def test_clips_of_different_shapes_stay_a_list():
    odd = dict(inputs=torch.zeros((1, 3, 2, 8, 8), dtype=torch.uint8),
               data_samples=None)
    batch = stack_collate([_sample(1, 0), odd])
    assert isinstance(batch['inputs'], list)


def test_registered_under_the_scope_name():
    assert FUNCTIONS.get('vmae_mm.stack_collate') is stack_collate


def test_preprocessor_gives_the_same_batch_for_lists_and_stacks():
    samples = [_sample(10, 0), _sample(200, 1)]
    preprocessor = VideoDataPreprocessor()
    stacked = preprocessor(stack_collate(samples))['inputs']
    listed = preprocessor(dict(inputs=[s['inputs'] for s in samples]))[
        'inputs']
    assert stacked.shape == (2, 3, 2, 4, 4)
    assert torch.equal(stacked, listed)
    expected = (10 - 123.675) / 58.395
    assert torch.isclose(stacked[0, 0, 0, 0, 0], torch.tensor(expected))
