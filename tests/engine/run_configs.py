"""Config files for test runs that use :mod:`tests.engine.fault_injection`."""
import os.path as osp

MODULE = 'tests.engine.fault_injection'


def write_config(path: str, base: str, text: str = '') -> str:
    """A config file inheriting ``base`` that can use the types of
    :mod:`tests.engine.fault_injection`; ``text`` is appended (Python config
    syntax)."""
    with open(path, 'w') as f:
        f.write(f'_base_ = [{osp.abspath(base)!r}]\n'
                f'custom_imports = dict(imports=[{MODULE!r}], '
                'allow_failed_imports=False)\n' + text)
    return path
