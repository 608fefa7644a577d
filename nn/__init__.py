"""Neural-network building blocks on autograd (see issue: nn)."""
