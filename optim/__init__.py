"""Optimizers and learning-rate schedules (see issue: optim)."""
