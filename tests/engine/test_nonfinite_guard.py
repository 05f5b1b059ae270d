"""The non-finite step guard on every optimizer wrapper kind."""
import mmengine.optim.optimizer.amp_optimizer_wrapper as amp_module
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import AmpOptimWrapper, OptimWrapper, OptimWrapperDict

from vmae_mm.engine.nonfinite_guard import (NonFiniteGuardMixin,
                                            NonFiniteTrainingError,
                                            install_nonfinite_guard,
                                            settle_nonfinite_guard,
                                            skips_on_device)
from vmae_mm.engine.optimizers import BF16OptimWrapper


def _model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Linear(8, 1))


def _wrapper(kind, model, monkeypatch=None, **kwargs):
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1)
    if kind is AmpOptimWrapper:
        # AmpOptimWrapper refuses to start without CUDA; the guard only
        # needs its loss scaler, which torch also provides for the CPU.
        monkeypatch.setattr(amp_module, 'is_cuda_available', lambda: True)
        wrapper = AmpOptimWrapper(optimizer=optimizer, **kwargs)
        wrapper.loss_scaler = torch.amp.GradScaler('cpu', init_scale=2.**8)
        return wrapper
    return kind(optimizer=optimizer, **kwargs)


def _loss(model, scale=1.0):
    x = torch.linspace(-1, 1, 12).reshape(3, 4)
    return model(x).pow(2).mean() * scale


def _params(model):
    return [p.detach().clone() for p in model.parameters()]


def _same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


@pytest.fixture(autouse=True)
def iteration():
    hub = MessageHub.get_instance('nonfinite_guard_test')
    hub.update_info('iter', 0)
    hub.runtime_info.pop('last_ckpt', None)
    return hub


@pytest.mark.parametrize('kind', [OptimWrapper, BF16OptimWrapper,
                                  AmpOptimWrapper])
def test_nan_loss_skips_the_step(kind, monkeypatch):
    model = _model()
    wrapper = install_nonfinite_guard(_wrapper(kind, model, monkeypatch))
    assert isinstance(wrapper, kind) and isinstance(wrapper,
                                                    NonFiniteGuardMixin)
    wrapper.update_params(_loss(model))
    before = _params(model)
    state = {k: v['step'].clone() for k, v in
             wrapper.optimizer.state.items()}
    wrapper.update_params(_loss(model, float('nan')))
    assert _same(before, _params(model))  # no update
    assert {k: v['step'] for k, v in wrapper.optimizer.state.items()} == state
    assert all(p.grad is None or not p.grad.any()
               for p in model.parameters())  # gradients were cleared
    assert wrapper.skipped_in_a_row == 1
    wrapper.update_params(_loss(model))  # training goes on
    assert not _same(before, _params(model))
    assert wrapper.skipped_in_a_row == 0 and wrapper.skipped_total == 1


@pytest.mark.parametrize('kind', [OptimWrapper, BF16OptimWrapper])
def test_non_finite_gradient_with_finite_loss_skips(kind):
    model = _model()
    wrapper = install_nonfinite_guard(_wrapper(kind, model))
    hook = model[0].weight.register_hook(lambda g: g * float('inf'))
    before = _params(model)
    loss = _loss(model)
    wrapper.update_params(loss)
    assert torch.isfinite(loss)
    assert _same(before, _params(model))
    assert wrapper.skipped_in_a_row == 1
    hook.remove()


def test_overflowing_fp16_gradients_stay_the_loss_scalers_business(
        monkeypatch):
    """With a scaler, an inf gradient (finite loss) is an overflow: the
    scaler skips the step and lowers its scale; the guard does not count
    it."""
    model = _model()
    wrapper = install_nonfinite_guard(
        _wrapper(AmpOptimWrapper, model, monkeypatch))
    hook = model[0].weight.register_hook(lambda g: g * float('inf'))
    before = _params(model)
    wrapper.update_params(_loss(model))
    assert _same(before, _params(model))
    assert wrapper.loss_scaler.get_scale() == 2.**7
    assert wrapper.skipped_in_a_row == 0
    hook.remove()
    wrapper.update_params(_loss(model, float('nan')))  # a NaN loss is ours
    assert wrapper.skipped_in_a_row == 1
    assert wrapper.loss_scaler.get_scale() == 2.**7  # scaler untouched


def test_k_in_a_row_stop_naming_iterations_and_checkpoint(iteration):
    model = _model()
    wrapper = install_nonfinite_guard(_wrapper(OptimWrapper, model),
                                      max_consecutive=3)
    iteration.update_info('last_ckpt', 'work_dirs/run/iter_40.pth')
    for i in range(41, 43):
        iteration.update_info('iter', i - 1)
        wrapper.update_params(_loss(model, float('nan')))
    iteration.update_info('last_ckpt', 'work_dirs/run/iter_42.pth')
    iteration.update_info('iter', 42)
    with pytest.raises(NonFiniteTrainingError) as error:
        wrapper.update_params(_loss(model, float('inf')))
    message = str(error.value)
    assert '3 optimizer steps in a row (iterations 41-43)' in message
    assert '--resume work_dirs/run/iter_40.pth' in message
    assert '\n' not in message


def test_a_finite_step_resets_the_count():
    model = _model()
    wrapper = install_nonfinite_guard(_wrapper(OptimWrapper, model),
                                      max_consecutive=2)
    for _ in range(3):
        wrapper.update_params(_loss(model, float('nan')))
        wrapper.update_params(_loss(model))
    assert wrapper.skipped_total == 3 and wrapper.skipped_in_a_row == 0


def test_accumulated_steps_check_every_accumulated_loss():
    model = _model()
    wrapper = install_nonfinite_guard(
        _wrapper(OptimWrapper, model, accumulative_counts=2))
    wrapper.initialize_count_status(model, 0, 10)
    before = _params(model)
    wrapper.update_params(_loss(model, float('nan')))  # no step yet
    with torch.no_grad():  # the NaN gradient is gone, the loss is not
        for p in model.parameters():
            p.grad.zero_()
    wrapper.update_params(_loss(model))
    assert _same(before, _params(model)) and wrapper.skipped_total == 1


def test_install_is_idempotent_and_covers_wrapper_dicts():
    model = _model()
    first = _wrapper(OptimWrapper, model)
    second = _wrapper(BF16OptimWrapper, model)
    both = install_nonfinite_guard(
        OptimWrapperDict(a=first, b=second), max_consecutive=4)
    assert type(first).__name__ == 'NonFiniteGuardedOptimWrapper'
    assert type(second).__name__ == 'NonFiniteGuardedBF16OptimWrapper'
    install_nonfinite_guard(both)  # not mixed in twice
    assert type(first).__mro__.count(NonFiniteGuardMixin) == 1
    assert first.max_consecutive == 4
    with pytest.raises(ValueError, match='max_consecutive'):
        install_nonfinite_guard(_wrapper(OptimWrapper, model),
                                max_consecutive=0)


def test_guarded_amp_wrapper_keeps_its_scaler_state_for_resume(monkeypatch):
    model = _model()
    wrapper = install_nonfinite_guard(
        _wrapper(AmpOptimWrapper, model, monkeypatch))
    hook = model[0].weight.register_hook(lambda g: g * float('inf'))
    wrapper.update_params(_loss(model))  # overflow: scale 256 -> 128
    hook.remove()
    state = wrapper.state_dict()
    assert state['loss_scaler']['scale'] == 2.**7
    fresh = install_nonfinite_guard(
        _wrapper(AmpOptimWrapper, _model(), monkeypatch))
    fresh.load_state_dict(state)
    assert fresh.loss_scaler.get_scale() == 2.**7


def _fused_wrapper(model, **kwargs):
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1, fused=True)
    return install_nonfinite_guard(OptimWrapper(optimizer=optimizer),
                                   **kwargs)


def test_fused_adamw_skips_on_the_device_and_counts_a_step_later():
    model = _model()
    wrapper = _fused_wrapper(model)
    assert skips_on_device(wrapper.optimizer)
    wrapper.update_params(_loss(model))
    before = _params(model)
    steps = [v['step'].clone() for v in wrapper.optimizer.state.values()]
    wrapper.update_params(_loss(model, float('nan')))
    assert _same(before, _params(model))  # skipped by the fused kernel
    assert [v['step'] for v in wrapper.optimizer.state.values()] == steps
    assert not hasattr(wrapper.optimizer, 'found_inf')
    assert wrapper.skipped_total == 0  # the verdict is read next step
    wrapper.update_params(_loss(model))
    assert not _same(before, _params(model))  # training goes on
    assert wrapper.skipped_total == 1 and wrapper.skipped_in_a_row == 1
    wrapper.settle()  # the finite step's verdict
    assert wrapper.skipped_in_a_row == 0 and wrapper.skipped_total == 1
    wrapper.settle()  # nothing pending: no change
    assert wrapper.skipped_total == 1


def test_fused_skip_of_an_inf_gradient_with_a_finite_loss():
    model = _model()
    wrapper = _fused_wrapper(model)
    hook = model[0].weight.register_hook(lambda g: g * float('inf'))
    before = _params(model)
    wrapper.update_params(_loss(model))
    hook.remove()
    assert _same(before, _params(model))
    wrapper.settle()
    assert wrapper.skipped_in_a_row == 1


def test_fused_k_in_a_row_stop_when_the_last_verdict_is_settled(iteration):
    model = _model()
    wrapper = _fused_wrapper(model, max_consecutive=3)
    iteration.update_info('last_ckpt', 'work_dirs/run/iter_40.pth')
    for i in range(41, 44):
        iteration.update_info('iter', i - 1)
        wrapper.update_params(_loss(model, float('nan')))
    assert wrapper.skipped_in_a_row == 2  # the third is still pending
    with pytest.raises(NonFiniteTrainingError) as error:
        settle_nonfinite_guard(OptimWrapperDict(only=wrapper))
    message = str(error.value)
    assert '3 optimizer steps in a row (iterations 41-43)' in message
    assert '--resume work_dirs/run/iter_40.pth' in message


def test_unfused_optimizers_decide_at_once():
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    assert not skips_on_device(optimizer)
    assert not skips_on_device(
        torch.optim.AdamW(model.parameters(), foreach=True))
    wrapper = install_nonfinite_guard(OptimWrapper(optimizer=optimizer))
    wrapper.update_params(_loss(model, float('nan')))
    assert wrapper.skipped_in_a_row == 1


@pytest.mark.parametrize('fused', [False, True])
def test_a_hand_written_backward_step_loop_is_guarded(fused):
    model = _model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1, fused=fused)
    wrapper = install_nonfinite_guard(OptimWrapper(optimizer=optimizer))
    before = _params(model)
    wrapper.backward(_loss(model, float('nan')))
    wrapper.step()
    wrapper.zero_grad()
    wrapper.settle()
    assert _same(before, _params(model))
    assert wrapper.skipped_total == 1


def test_a_step_without_backward_through_the_wrapper_is_checked_too():
    """Gradients set by hand: only the gradient norm can be checked, and
    the warning says the loss was not."""
    model = _model()
    wrapper = _fused_wrapper(model)
    before = _params(model)
    for param in model.parameters():
        param.grad = torch.full_like(param, float('nan'))
    wrapper.step()
    wrapper.settle()
    assert _same(before, _params(model)) and wrapper.skipped_total == 1
