"""vmae_mm's scope reaches every registry a Runner builds from: mmengine's
visualizer and its backends come through vmae_mm's own child registries,
not through mmengine's fallback (which warns on every run)."""
import pytest
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS

from vmae_mm import registry


@pytest.mark.parametrize('root, ours, name', [
    (MMENGINE_VISUALIZERS, registry.VISUALIZERS, 'Visualizer'),
    (MMENGINE_VISBACKENDS, registry.VISBACKENDS, 'LocalVisBackend'),
])
def test_scope_finds_our_child_registry(root, ours, name):
    with root.switch_scope_and_registry('vmae_mm') as found:
        assert found is ours
        assert found.get(name) is root.get(name)  # mmengine's class
