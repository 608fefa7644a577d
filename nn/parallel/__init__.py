"""Data parallelism: :class:`DistributedDataParallel` (``torch.nn.parallel``'s counterpart).

Needs the optional MPI extra (``pip install "tapegrad[dist]"``) and a process group
(``autograd.distributed.init_process_group``); importing this package needs neither.
"""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
