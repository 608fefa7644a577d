"""Neural-network building blocks on autograd, as PyTorch users know them.

``nn.Module`` and the layers (``Linear``, ``Conv2d``, ``BatchNorm2d``, ...), losses
(``CrossEntropyLoss``, ...), ``nn.functional`` (stateless forms), ``nn.init`` (initialisers) and
safe checkpoints (``nn.save`` / ``nn.load``: ``.npz``, never pickle).

>>> import autograd as ag, nn
>>> ag.manual_seed(0)  # doctest: +ELLIPSIS
Generator(PCG64) at 0x...
>>> net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
>>> loss = nn.MSELoss()(net(ag.randn(4, 2)), ag.zeros(4, 1))
>>> loss.backward()
>>> net[0].weight.grad.shape
(8, 2)
"""

from . import functional, init
from .modules import *  # noqa: F401,F403  (the layer classes)
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter
from .serialization import CheckpointError, load, save

__all__ = ["Buffer", "CheckpointError", "Parameter", "functional", "init", "load", "save",
           *_modules_all]

from . import parallel, utils  # noqa: E402  (DistributedDataParallel; gradient clipping ...)
