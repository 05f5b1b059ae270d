"""tools/analysis/synthetic_transfer.py on a handful of videos (CPU)."""
import json
import math

from ..conftest import run_tool

TOOL = 'tools/analysis/synthetic_transfer.py'


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_pretrain_then_finetune_records_losses_and_top1(tmp_path):
    rendered = run_tool([TOOL, 'data', str(tmp_path), '--num-train', '20',
                         '--num-val', '10', '--workers', '2', '--styles',
                         'crowd', 'single'])
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    assert (tmp_path / 'crowd_val.npy').exists()
    assert (tmp_path / 'single_train.npy').exists()

    common = ['--labeled', '20', '--seeds', '0', '--finetune-steps', '2',
              '--threads', '1']
    run = run_tool([TOOL, 'run', str(tmp_path), 'tube', '--steps', '10',
                    '--evals', '5', '10', '--no-norm-pix', *common])
    assert run.returncode == 0, run.stderr[-2000:]
    records = read(tmp_path / 'tube.jsonl')
    losses = [r for r in records if 'pretrain_step' in r]
    assert [r['pretrain_step'] for r in losses] == list(range(1, 11))
    assert all(math.isfinite(r['loss']) for r in losses)
    assert losses[0]['norm_pix'] is False
    evals = [r for r in records if 'top1' in r]
    assert [(r['at'], r['labeled']) for r in evals] == [(5, 20), (10, 20)]
    assert all(len(r['top1']) == 1 and 0 <= r['mean'] <= 1 for r in evals)

    scratch = run_tool([TOOL, 'run', str(tmp_path), 'scratch', '--steps',
                        '0', '--videos', 'single', *common])
    assert scratch.returncode == 0, scratch.stderr[-2000:]
    (record, ) = read(tmp_path / 'scratch.jsonl')
    assert record['at'] == 0 and record['videos'] == 'single'
