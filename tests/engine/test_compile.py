"""compile_model: the bare model's training forward (its ``loss``) is
compiled and computes what the eager model computes; prediction stays
eager."""
from types import SimpleNamespace

import torch
from mmengine.config import Config
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from vmae_mm.engine.compile import compile_model, why_not_compilable
from vmae_mm.engine.runner import VMAERunner
from vmae_mm.registry import MODELS

TINY = dict(
    type='VideoMAE',
    backbone=dict(type='VisionTransformer3D',
                  arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                            mlp_dims=64), img_size=32, num_frames=4),
    neck=dict(type='VideoMAEDecoder', in_dims=32, embed_dims=16,
              num_layers=1, num_heads=2),
    head=dict(type='VideoMAEPretrainHead'),
    mask_generator=dict(type='TubeMasking', mask_ratio=0.75))


def _loss(model, clip):
    torch.manual_seed(1)  # the same masks
    return model(clip, mode='loss')['loss']


def test_compiled_forward_matches_eager_loss_and_gradients():
    # Inductor draws random numbers its own way unless told to fall back to
    # eager's generator; with it, both runs draw the same masks. (patch()
    # restores the setting; monkeypatch.setattr leaves the config module
    # unable to read it.)
    with torch._inductor.config.patch(fallback_random=True):
        torch.manual_seed(0)
        model = MODELS.build(TINY)
        clip = torch.randn(2, 3, 4, 32, 32)
        eager = _loss(model, clip)
        eager.backward()
        eager_grads = [p.grad.clone() for p in model.parameters()]
        model.zero_grad()

        compile_model(model, True)
        # the instance's loss is replaced; forward(mode='loss') reaches it
        assert 'loss' in vars(model) and 'forward' not in vars(model)
        compiled = _loss(model, clip)
        compiled.backward()
    torch.testing.assert_close(compiled, eager, rtol=1e-4, atol=1e-5)
    for got, want in zip((p.grad for p in model.parameters()), eager_grads):
        torch.testing.assert_close(got, want, rtol=1e-3, atol=1e-5)


def test_false_or_none_compiles_nothing():
    model = nn.Linear(2, 2)
    for flag in (False, None):
        compile_model(model, flag)
        assert 'forward' not in vars(model)


def test_a_model_without_loss_gets_its_forward_compiled():
    model = nn.Linear(2, 2)
    compile_model(model, True)
    assert 'forward' in vars(model)


def test_recognizer_predicts_eagerly_after_compiling():
    model = MODELS.build(dict(
        type='Recognizer',
        backbone=dict(type='VisionTransformer3D',
                      arch=dict(embed_dims=32, num_layers=1, num_heads=2,
                                mlp_dims=64), img_size=32, num_frames=4,
                      out_type='avg_featmap'),
        cls_head=dict(type='VideoMAEClsHead', num_classes=3,
                      in_channels=32)))
    compile_model(model, True)
    assert 'loss' in vars(model)
    # predict (and tensor) mode is the class's own, uncompiled method
    assert 'predict' not in vars(model) and 'scores' not in vars(model)
    model.eval()
    with torch.no_grad():
        scores = model(torch.randn(2, 3, 4, 32, 32), mode='tensor')
    assert scores.shape == (2, 3)


def test_ddp_is_compiled_as_one_graph():
    class FakeDDP(DistributedDataParallel):
        def __init__(self, module):  # no process group needed
            nn.Module.__init__(self)
            self.module = module

    # patch() puts the setting back afterwards (monkeypatch.setattr leaves
    # dynamo's config module unable to read it)
    with torch._dynamo.config.patch(optimize_ddp=True):
        model = FakeDDP(nn.Linear(2, 2))
        compile_model(model, dict(dynamic=False))
        assert torch._dynamo.config.optimize_ddp is False
    assert 'forward' in vars(model.module)  # nn.Linear has no loss


def _fake_gpu(monkeypatch, capability):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'get_device_capability',
                        lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, 'get_device_name',
                        lambda device=None: 'Tesla P100-PCIE-16GB')


def test_gpus_older_than_triton_are_named(monkeypatch):
    assert why_not_compilable() is None  # no GPU here: inductor's CPU path
    _fake_gpu(monkeypatch, (6, 0))
    assert why_not_compilable() == (
        'Tesla P100-PCIE-16GB has compute capability 6.0; Triton needs 7.0 '
        'or newer')
    _fake_gpu(monkeypatch, (7, 0))
    assert why_not_compilable() is None


class _Logger:
    def __init__(self):
        self.lines = []

    def warning(self, line):
        self.lines.append(('warning', line))

    def info(self, line):
        self.lines.append(('info', line))


def test_runner_trains_eagerly_on_an_old_gpu(monkeypatch):
    _fake_gpu(monkeypatch, (6, 1))
    runner = SimpleNamespace(cfg=Config(dict(compile=True)),
                             logger=_Logger(), model=MODELS.build(TINY))
    VMAERunner._maybe_compile(runner, 'train_step')
    assert 'loss' not in vars(runner.model)  # nothing compiled
    ((level, line), ) = runner.logger.lines
    assert level == 'warning'
    assert 'compute capability 6.1' in line and 'training eagerly' in line


def test_runner_compiles_when_it_can():
    runner = SimpleNamespace(cfg=Config(dict(compile=True)),
                             logger=_Logger(), model=MODELS.build(TINY))
    VMAERunner._maybe_compile(runner, 'train_step')
    assert 'loss' in vars(runner.model)
    assert runner.logger.lines[0][0] == 'info'


def test_the_preprocessors_normalization_is_compiled_and_unchanged():
    model = MODELS.build(TINY)
    preprocessor = model.data_preprocessor
    clips = torch.randint(0, 256, (2, 3, 4, 32, 32), dtype=torch.uint8)
    views = torch.rand(2, 3, 3, 4, 32, 32) * 255  # (B, V, C, T, H, W) float
    eager = [preprocessor.normalize(clips), preprocessor.normalize(views)]
    compile_model(model, True)
    assert 'normalize' in vars(preprocessor)
    for inputs, want in zip((clips, views), eager):
        got = preprocessor.normalize(inputs)
        assert got.dtype == torch.float32
        torch.testing.assert_close(got, want)
    data = preprocessor(dict(inputs=[clip[None] for clip in clips]))
    torch.testing.assert_close(data['inputs'], eager[0])
