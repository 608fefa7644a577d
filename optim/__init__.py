"""Optimizers, learning-rate schedules (``optim.lr_scheduler``); gradient clipping is in
``nn.utils``.

>>> import autograd as ag, optim
>>> w = ag.tensor([3.0, -1.0], requires_grad=True)
>>> opt = optim.Adam([w], lr=0.1)
>>> sched = optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
>>> for epoch in range(30):
...     opt.zero_grad()
...     loss = (w * w).sum()
...     loss.backward()
...     opt.step()
...     sched.step()
>>> sched.get_last_lr()
[0.0125]
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "NAdam", "RAdam", "Adamax",
           "Adadelta", "LBFGS", "lr_scheduler"]
