"""DeferredRuntimeInfoHook publishes every iteration's log_vars in order,
waiting only when a logger line, an epoch's end or a bound requires it."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.hooks import LoggerHook
from mmengine.logging import MessageHub

from vmae_mm.engine.hooks import DeferredRuntimeInfoHook
from vmae_mm.engine.hooks.deferred_runtime_info_hook import _PendingScalars


class FakeEvent:
    """A copy to the host that lands when told to (or when waited for)."""

    def __init__(self):
        self.landed = False
        self.waited = False

    def query(self):
        return self.landed

    def synchronize(self):
        self.waited = True
        self.landed = True


def _runner(name, logger_interval=None, epoch_len=100):
    hooks = [LoggerHook(interval=logger_interval)] if logger_interval else []
    return SimpleNamespace(message_hub=MessageHub.get_instance(name),
                           hooks=hooks, train_dataloader=range(epoch_len))


def _losses(runner):
    if 'train/loss' not in runner.message_hub.log_scalars:
        return []
    return list(runner.message_hub.get_scalar('train/loss').data[0])


@pytest.fixture
def deferred(monkeypatch):
    """_send leaves every copy in flight until its FakeEvent lands."""
    events = []

    def send(outputs):
        event = FakeEvent()
        events.append(event)
        return _PendingScalars(['loss'], torch.tensor([float(
            outputs['loss'])]), event, {})

    monkeypatch.setattr(DeferredRuntimeInfoHook, '_send',
                        staticmethod(send))
    return events


def test_cpu_values_are_published_at_once():
    runner = _runner('deferred_cpu')
    hook = DeferredRuntimeInfoHook()
    hook.after_train_iter(runner, 0, outputs=dict(loss=torch.tensor(1.5),
                                                  acc=torch.tensor([80.]),
                                                  note=3))
    assert _losses(runner) == [1.5]
    hub = runner.message_hub
    assert hub.get_scalar('train/acc').current() == 80.
    assert hub.get_scalar('train/note').current() == 3


def test_values_wait_until_landed_then_publish_in_order(deferred):
    runner = _runner('deferred_order')
    hook = DeferredRuntimeInfoHook(max_pending=5)
    hook.after_train_iter(runner, 0, outputs=dict(loss=1.))
    hook.after_train_iter(runner, 1, outputs=dict(loss=2.))
    assert _losses(runner) == []  # both copies still in flight
    deferred[0].landed = True
    hook.after_train_iter(runner, 2, outputs=dict(loss=3.))
    assert _losses(runner) == [1.]  # the landed one, not past a pending one
    deferred[2].landed = True  # lands before the second: order is kept
    hook.after_train_iter(runner, 3, outputs=dict(loss=4.))
    assert _losses(runner) == [1.]
    assert not any(event.waited for event in deferred)
    hook.after_train_epoch(runner)
    assert _losses(runner) == [1., 2., 3., 4.]


def test_a_logger_line_waits_for_every_value(deferred):
    runner = _runner('deferred_logger', logger_interval=3)
    hook = DeferredRuntimeInfoHook(max_pending=5)
    for i in range(2):
        hook.after_train_iter(runner, i, outputs=dict(loss=float(i)))
    assert _losses(runner) == []
    hook.after_train_iter(runner, 2, outputs=dict(loss=2.))  # logger writes
    assert _losses(runner) == [0., 1., 2.]


def test_the_last_iteration_of_an_epoch_waits(deferred):
    runner = _runner('deferred_epoch_end', logger_interval=50, epoch_len=2)
    hook = DeferredRuntimeInfoHook(max_pending=5)
    hook.after_train_iter(runner, 0, outputs=dict(loss=0.))
    hook.after_train_iter(runner, 1, outputs=dict(loss=1.))
    assert _losses(runner) == [0., 1.]


def test_at_most_max_pending_iterations_stay_in_flight(deferred):
    runner = _runner('deferred_bound')
    hook = DeferredRuntimeInfoHook(max_pending=2)
    for i in range(4):
        hook.after_train_iter(runner, i, outputs=dict(loss=float(i)))
    assert _losses(runner) == [0., 1.]
    assert [event.waited for event in deferred] == [True, True, False, False]
    hook.after_train(runner)
    assert _losses(runner) == [0., 1., 2., 3.]


def test_log_vars_must_be_scalars():
    hook = DeferredRuntimeInfoHook()
    with pytest.raises(ValueError, match="log_vars\\['loss'\\]"):
        hook.after_train_iter(_runner('deferred_shape'), 0,
                              outputs=dict(loss=torch.ones(2)))
    with pytest.raises(ValueError, match='max_pending'):
        DeferredRuntimeInfoHook(max_pending=0)
