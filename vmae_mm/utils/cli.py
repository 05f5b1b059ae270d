"""Command-line entry points: errors a user can act on, in one line."""
import os
import sys
from typing import Callable

from vmae_mm.utils.config_check import ConfigError

#: Errors caused by the user's input (files, configs, data) rather than bugs.
USER_ERRORS = (ConfigError, FileNotFoundError, KeyError, ValueError)


def one_line(err: BaseException) -> str:
    """The last meaningful line of an error message.

    Errors re-raised from data-loader workers carry the worker's whole
    traceback in their message; the user needs its last line.
    """
    text = str(err).strip().strip('"\'')
    if 'Original Traceback' in text:
        text = text.strip().splitlines()[-1]
        text = text.split(': ', 1)[-1] if ': ' in text else text
    return ' '.join(text.split())


def close_process_group() -> None:
    """Release the default process group of a finished distributed run.

    Every process waits for the others, then the group is destroyed, so the
    NCCL communicators are torn down in order rather than by the interpreter
    at exit (a 4-GPU run was seen to stay alive for a minute after writing its
    last checkpoint when this was left to the exit).
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def run_cli(main: Callable[[], None]) -> None:
    """Run ``main``, then release the process group of a distributed run; a
    user error exits with status 1 and one line on stderr (``VMAE_DEBUG=1``
    shows the traceback instead)."""
    try:
        main()
        close_process_group()
    except USER_ERRORS as err:
        if os.environ.get('VMAE_DEBUG'):
            raise
        prog = os.path.basename(sys.argv[0])
        print(f'{prog}: error: {type(err).__name__}: {one_line(err)}',
              file=sys.stderr)
        sys.exit(1)
