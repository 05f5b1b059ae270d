"""vmae_mm's registries: children of mmengine's root registries.

Every registry names the packages that define its members in ``locations``,
so ``MODELS.build(cfg)`` imports them on first use and configs need no
``custom_imports``. Configs set ``default_scope = 'vmae_mm'``.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry

RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS,
                   locations=['vmae_mm.engine'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['vmae_mm.engine'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS,
                 locations=['vmae_mm.engine.hooks'])
LOG_PROCESSORS = Registry('log processor', parent=MMENGINE_LOG_PROCESSORS,
                          locations=['vmae_mm.engine'])

DATASETS = Registry('dataset', parent=MMENGINE_DATASETS,
                    locations=['vmae_mm.datasets'])
DATA_SAMPLERS = Registry('data sampler', parent=MMENGINE_DATA_SAMPLERS,
                         locations=['vmae_mm.datasets', 'vmae_mm.engine'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS,
                      locations=['vmae_mm.datasets.transforms'])
FUNCTIONS = Registry('function', parent=MMENGINE_FUNCTIONS,
                     locations=['vmae_mm.datasets', 'vmae_mm.engine'])

MODELS = Registry('model', parent=MMENGINE_MODELS,
                  locations=['vmae_mm.models'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS,
                          locations=['vmae_mm.models'])
#: Masking strategies: ``dict(type='TubeMasking', mask_ratio=0.9)``.
MASK_GENERATORS = Registry('mask generator',
                           locations=['vmae_mm.models.masking'])

OPTIMIZERS = Registry('optimizer', parent=MMENGINE_OPTIMIZERS,
                      locations=['vmae_mm.engine.optimizers'])
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS,
                          locations=['vmae_mm.engine.optimizers'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['vmae_mm.engine.optimizers'])
PARAM_SCHEDULERS = Registry('parameter scheduler',
                            parent=MMENGINE_PARAM_SCHEDULERS,
                            locations=['vmae_mm.engine.optimizers'])

METRICS = Registry('metric', parent=MMENGINE_METRICS,
                   locations=['vmae_mm.evaluation'])
EVALUATOR = Registry('evaluator', parent=MMENGINE_EVALUATOR,
                     locations=['vmae_mm.evaluation'])

# mmengine's Visualizer and its backends, reached from vmae_mm's scope (a
# config's default `visualizer`), so building them does not warn that the
# scope has no such registry.
VISUALIZERS = Registry('visualizer', parent=MMENGINE_VISUALIZERS,
                       locations=['vmae_mm.visualization'])
VISBACKENDS = Registry('vis_backend', parent=MMENGINE_VISBACKENDS,
                       locations=['vmae_mm.visualization'])
