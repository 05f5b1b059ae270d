"""vmae_mm: VideoMAE pretraining and finetuning on mmengine."""
from .version import __version__

try:
    import mmcv  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the install
    raise ImportError(
        'vmae_mm needs mmcv>=2.0. Install the compiled-op-free distribution '
        'with `pip install mmcv-lite` (or `pip install -e .[lite]`); a full '
        'mmcv build works too.') from err

__all__ = ['__version__']
