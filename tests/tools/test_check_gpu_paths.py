"""tools/analysis/check_gpu_paths.py refuses to pass without a GPU."""
from ..conftest import run_tool


def test_without_cuda_it_says_so_and_fails():
    result = run_tool(['tools/analysis/check_gpu_paths.py'])
    assert result.returncode == 2
    assert 'needs a CUDA device' in result.stderr
