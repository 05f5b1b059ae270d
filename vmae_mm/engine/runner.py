"""vmae_mm's Runner."""
from typing import Dict, List, Optional, Union

from mmengine.hooks import Hook
from mmengine.runner import Runner

from vmae_mm.registry import RUNNERS
from .hooks.portable_checkpoint_hook import PortableCheckpointHook


@RUNNERS.register_module()
class VMAERunner(Runner):
    """mmengine's Runner with the hooks vmae_mm relies on always present.

    :class:`PortableCheckpointHook` is registered even when a config replaces
    ``custom_hooks``, so every checkpoint stays loadable with torch's safe
    ``weights_only=True`` loader.
    """

    def register_hooks(
            self,
            default_hooks: Optional[Dict[str, Union[Hook, Dict]]] = None,
            custom_hooks: Optional[List[Union[Hook, Dict]]] = None) -> None:
        super().register_hooks(default_hooks, custom_hooks)
        if not any(isinstance(h, PortableCheckpointHook) for h in self.hooks):
            self.register_hook(PortableCheckpointHook())
