"""tapegrad micro-benchmarks: the same work in tapegrad, hand-written NumPy, PyTorch and micrograd.

Run ``python -m benchmarks --help``.  This package imports nothing heavy at import time so that
``__main__`` can fix the BLAS/OpenMP thread counts before NumPy is loaded.
"""
