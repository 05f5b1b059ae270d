"""Checkpoint converters between the official VideoMAE releases,
transformers, mmaction2 and vmae_mm. Pure functions on state dicts, plus
reading any of them from disk."""
from .hf import (hf_config_from_vmae, hf_to_vmae, vmae_model_cfg_from_hf,
                 vmae_to_hf)
from .io import (FORMATS, detect_format, load_as_vmae, read_checkpoint,
                 to_vmae, unwrap_state_dict)
from .keys import is_vmae_key, layout_of
from .mmaction2 import mmaction2_to_vmae
from .official import official_to_vmae, vmae_to_official

__all__ = [
    'FORMATS', 'detect_format', 'hf_config_from_vmae', 'hf_to_vmae',
    'is_vmae_key', 'layout_of', 'load_as_vmae', 'mmaction2_to_vmae',
    'official_to_vmae', 'read_checkpoint', 'to_vmae', 'unwrap_state_dict',
    'vmae_model_cfg_from_hf', 'vmae_to_hf', 'vmae_to_official'
]
