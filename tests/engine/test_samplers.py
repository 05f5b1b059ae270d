"""ResumableSampler: DefaultSampler's order, resumption by index, coverage."""
import mmengine.dataset.sampler as mm_sampler
import pytest
from mmengine.dataset import DefaultSampler

from vmae_mm.engine.samplers import ResumableSampler
from vmae_mm.registry import DATA_SAMPLERS


def _make(cls, monkeypatch, size, rank, world, **kwargs):
    monkeypatch.setattr(mm_sampler, 'get_dist_info', lambda: (rank, world))
    return cls(list(range(size)), seed=3, **kwargs)


def _epoch(monkeypatch, size, world, epoch, cls=ResumableSampler, **kwargs):
    """Every rank's indices for one epoch."""
    per_rank = []
    for rank in range(world):
        sampler = _make(cls, monkeypatch, size, rank, world, **kwargs)
        sampler.set_epoch(epoch)
        per_rank.append(list(sampler))
    return per_rank


def test_registered():
    assert DATA_SAMPLERS.get('ResumableSampler') is ResumableSampler


@pytest.mark.parametrize('shuffle', [True, False])
@pytest.mark.parametrize('round_up', [True, False])
@pytest.mark.parametrize('size,world', [(10, 1), (10, 2), (11, 4)])
def test_same_order_as_default_sampler(monkeypatch, shuffle, round_up, size,
                                       world):
    for epoch in (0, 1):
        kwargs = dict(shuffle=shuffle, round_up=round_up)
        ours = _epoch(monkeypatch, size, world, epoch, **kwargs)
        theirs = _epoch(monkeypatch, size, world, epoch, DefaultSampler,
                        **kwargs)
        assert ours == theirs


@pytest.mark.parametrize('size,world', [(20, 1), (20, 2), (23, 4)])
def test_epoch_covers_every_sample_once_plus_padding(monkeypatch, size,
                                                     world):
    per_rank = _epoch(monkeypatch, size, world, epoch=2)
    flat = [i for indices in per_rank for i in indices]
    assert sorted(set(flat)) == list(range(size))
    assert len(flat) == -(-size // world) * world  # padded to divide
    assert len(flat) - size < world  # fewer than W repeats
    assert len({len(indices) for indices in per_rank}) == 1


@pytest.mark.parametrize('world,batch', [(1, 4), (2, 2), (4, 1)])
def test_global_batches_do_not_depend_on_the_world_size(
        monkeypatch, world, batch):
    """Step s of any W x b split trains on the same clips as one process
    with batch W*b."""
    single = _epoch(monkeypatch, 16, 1, epoch=1)[0]
    per_rank = _epoch(monkeypatch, 16, world, epoch=1)
    for step in range(16 // (world * batch)):
        clips = {i for indices in per_rank
                 for i in indices[step * batch:(step + 1) * batch]}
        expected = single[step * world * batch:(step + 1) * world * batch]
        assert clips == set(expected)


@pytest.mark.parametrize('size,world,batch,done', [(20, 1, 4, 2),
                                                    (20, 2, 2, 3),
                                                    (23, 4, 2, 1)])
def test_resume_yields_the_rest_of_the_epoch(monkeypatch, size, world, batch,
                                             done):
    full = _epoch(monkeypatch, size, world, epoch=1)
    for rank in range(world):
        sampler = _make(ResumableSampler, monkeypatch, size, rank, world)
        sampler.resume_at(epoch=1, consumed=done * batch * world)
        sampler.set_epoch(1)
        assert list(sampler) == full[rank][done * batch:]
        assert len(sampler) == len(full[rank])  # schedules see full epochs
        sampler.set_epoch(2)  # later epochs start from their beginning
        assert list(sampler) == _epoch(monkeypatch, size, world, 2)[rank]


def test_resume_position_applies_to_its_epoch_only(monkeypatch):
    sampler = _make(ResumableSampler, monkeypatch, 12, 0, 1)
    sampler.resume_at(epoch=3, consumed=4)
    sampler.set_epoch(2)
    assert len(list(sampler)) == 12
    sampler.set_epoch(3)
    assert len(list(sampler)) == 12  # the position was dropped above


def test_resume_rejects_a_position_between_processes(monkeypatch):
    sampler = _make(ResumableSampler, monkeypatch, 12, 0, 2)
    with pytest.raises(ValueError, match='multiple of the 2 processes'):
        sampler.resume_at(epoch=0, consumed=3)
