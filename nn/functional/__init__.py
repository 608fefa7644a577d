"""Stateless forms of every layer, activation and loss (``import nn.functional as F``).

>>> import autograd as ag, nn.functional as F
>>> F.mse_loss(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 0.0])).item()
2.0
"""

from .activation import (
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    log_softmax,
    mish,
    relu,
    relu6,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from .activation_extra import glu, hardsigmoid, hardswish, logsigmoid, softmin, softsign
from .attention import scaled_dot_product_attention
from .conv import conv1d, conv2d, conv3d
from .conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d
from .distance import cosine_similarity, normalize, pairwise_distance
from .dropout import dropout, dropout1d, dropout2d, dropout3d
from .fold import fold, unfold
from .interpolate import interpolate
from .linear import linear
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .loss_extra import (
    cosine_embedding_loss,
    gaussian_nll_loss,
    margin_ranking_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    triplet_margin_loss,
)
from .normalization import batch_norm, group_norm, instance_norm, layer_norm
from .padding import pad
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from .sparse import embedding, one_hot

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv1d", "conv2d",
    "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "cross_entropy",
    "dropout", "dropout1d", "dropout2d", "dropout3d", "elu", "embedding", "gelu", "group_norm",
    "hardtanh", "huber_loss", "instance_norm", "kl_div", "l1_loss", "layer_norm", "leaky_relu",
    "linear", "log_softmax", "max_pool1d", "max_pool2d", "max_pool3d", "mish", "mse_loss",
    "nll_loss", "one_hot", "relu", "relu6", "sigmoid", "silu", "smooth_l1_loss", "softmax",
    "softplus", "tanh",
    # issue 13
    "cosine_embedding_loss", "cosine_similarity", "fold", "gaussian_nll_loss", "glu",
    "hardsigmoid", "hardswish", "interpolate", "logsigmoid", "margin_ranking_loss",
    "multilabel_soft_margin_loss", "normalize", "pad", "pairwise_distance", "poisson_nll_loss",
    "scaled_dot_product_attention", "softmin", "softsign", "triplet_margin_loss", "unfold",
]
