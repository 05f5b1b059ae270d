"""Dataset tests build pipelines through mmengine's Compose, which looks
transforms up under the default scope."""
import pytest
from mmengine.registry import init_default_scope


@pytest.fixture(autouse=True)
def vmae_scope():
    init_default_scope('vmae_mm')
