"""Shared fixtures: real video files written with OpenCV, and a small copy
of the synthetic dataset."""
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time
from typing import Dict, List

import cv2
import numpy as np
import pytest

from vmae_mm.datasets.synthetic import make_synthetic_dataset

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY_PRETRAIN_CONFIG = osp.join(REPO_ROOT, 'tests', 'data',
                                'tiny_synthetic_pretrain.py')


def write_video(path: str, frames: np.ndarray, fourcc: str = 'mp4v',
                fps: int = 25) -> str:
    """Write RGB uint8 frames ``(T, H, W, 3)`` with OpenCV."""
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps,
                             (width, height))
    assert writer.isOpened(), f'cannot write {path} with {fourcc}'
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def gradient_frames(num_frames: int, height: int, width: int) -> np.ndarray:
    """Frames whose content encodes the frame index (a moving bar on a
    gradient), so decoded frames can be told apart."""
    frames = np.zeros((num_frames, height, width, 3), dtype=np.uint8)
    frames[..., 1] = np.linspace(0, 255, width, dtype=np.uint8)[None, None]
    for t in range(num_frames):
        frames[t, :, (t * 3) % width, :] = 255
        frames[t, ..., 2] = int(255 * t / max(num_frames - 1, 1))
    return frames


@pytest.fixture
def make_video(tmp_path):
    """``make_video(name, num_frames=24, size=(48, 64), fourcc='mp4v')``
    writes a real video file under ``tmp_path`` and returns its path."""

    def _make(name: str = 'clip.mp4', num_frames: int = 24,
              size=(48, 64), fourcc: str = 'mp4v') -> str:
        frames = gradient_frames(num_frames, *size)
        return write_video(str(tmp_path / name), frames, fourcc)

    return _make


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory) -> str:
    """A small synthetic dataset: 20 train and 10 val videos of 40 frames
    at 64x64, the same generator as the quick start."""
    root = str(tmp_path_factory.mktemp('synthetic'))
    make_synthetic_dataset(root, num_train=20, num_val=10, num_frames=40,
                           size=64, seed=0)
    return root


def run_tool(args: List[str], cwd: str = REPO_ROOT, env=None,
             timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a repository script with this interpreter; capture its output."""
    full_env = dict(os.environ, PYTHONPATH=REPO_ROOT, PYTHON=sys.executable,
                    OMP_NUM_THREADS='1')
    full_env.update(env or {})
    if args[0].endswith('.py'):
        args = [sys.executable] + args
    return subprocess.run(args, cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def failure_text(result: subprocess.CompletedProcess,
                 tail: int = 1500) -> str:
    """What a failed run said: every line of its stderr that reports an
    error or an abort (from any of its processes, not only the last one to
    write) and the end of the stream."""
    errors = [line for line in result.stderr.splitlines()
              if re.search(r'Error|Exception|terminate called|Abort|'
                           r'abort|Signal \d+|Killed', line)]
    return '\n'.join(errors[:60]) + '\n...\n' + result.stderr[-tail:]


def _descendants(pid: int) -> List[int]:
    """Every process below ``pid``, read from ``/proc`` (Linux)."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                ppid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def kill_tree(pid: int, timeout: float = 30) -> None:
    """SIGKILL ``pid`` and every process below it, also those that left its
    process group (torchrun's workers outlived a kill of its group), and
    wait until none runs."""
    tree = [pid] + _descendants(pid)
    for member in tree:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.time() + timeout
    while any(_running(member) for member in tree[1:]):
        assert time.time() < deadline, 'killed processes still run'
        time.sleep(0.05)
