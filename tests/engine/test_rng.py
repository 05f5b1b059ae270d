"""Random-state capture and restore, and validation's isolation."""
import io
import random

import numpy as np
import torch

from vmae_mm.engine.rng import (get_rng_state, isolated_rng, set_rng_state,
                                training_rng_state)


def _draw():
    return (random.random(), np.random.rand(3).tolist(), np.random.randn(),
            torch.rand(4).tolist(), torch.randint(0, 100, (3, )).tolist())


def test_state_survives_the_safe_loader_and_replays_every_generator():
    random.seed(1), np.random.seed(2), torch.manual_seed(3)
    np.random.randn()  # leave a cached gaussian in numpy's state
    state = get_rng_state()
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)
    expected = _draw()
    _draw()  # move every generator on
    set_rng_state(loaded)
    assert _draw() == expected


def test_isolated_block_leaves_the_training_stream_where_it_was():
    torch.manual_seed(0), np.random.seed(0), random.seed(0)
    expected = _draw()
    torch.manual_seed(0), np.random.seed(0), random.seed(0)
    with isolated_rng():
        _draw()
        _draw()
    assert _draw() == expected


def test_training_state_inside_an_isolated_block_is_the_outer_one():
    torch.manual_seed(5)
    outer = get_rng_state()
    with isolated_rng():
        torch.rand(10)
        inside = training_rng_state()
    assert torch.equal(inside['torch'], outer['torch'])
    torch.rand(1)
    assert not torch.equal(training_rng_state()['torch'], outer['torch'])
