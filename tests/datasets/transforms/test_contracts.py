"""Every registered transform states its data contract and is exported."""
import inspect

import pytest

import vmae_mm.datasets.transforms as transforms_pkg
from vmae_mm.registry import TRANSFORMS

TRANSFORMS.import_from_location()
NAMES = sorted(TRANSFORMS.module_dict)


def test_registry_holds_the_pipeline_transforms():
    assert {'DecordInit', 'SampleFrames', 'UniformSample', 'DecordDecode',
            'RawFrameDecode', 'MultiScaleCrop', 'RandomResizedCrop',
            'Resize', 'CenterCrop', 'ThreeCrop', 'Flip', 'RandAugment',
            'RandomErasing', 'FormatShape', 'PackInputs'} <= set(NAMES)


@pytest.mark.parametrize('name', NAMES)
def test_docstring_states_the_data_contract(name):
    cls = TRANSFORMS.get(name)
    doc = inspect.getdoc(cls) or ''
    assert 'Required Keys' in doc, f'{name} does not state its inputs'
    assert 'Added Keys' in doc or 'Modified Keys' in doc, \
        f'{name} does not state its outputs'
    assert getattr(transforms_pkg, name) is cls  # exported explicitly
