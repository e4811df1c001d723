"""The optimisers ``mlplab train`` offers: one registration line each.

Each entry's factory is the optimiser class itself; its options are the keyword parameters of the
same name, so their defaults are PyTorch's, read from the class's signature (``Adam(lr=1e-3)``,
``Adagrad(lr=1e-2)``, ``LBFGS(lr=1)`` ...). ``needs_closure`` marks an optimiser whose ``step`` takes
a closure that re-evaluates the loss (L-BFGS); the loop reads that property, never a class name.

To add an optimiser: write its class in ``mlplab/optim/``, then one line here (reuse the shared
Options below, or declare a new one).
"""

from __future__ import annotations

from .. import optim
from ..errors import UserError
from ..registry import Option, Registry

PANEL = "Optimiser"

LR = Option("lr", "float", "learning rate", low=0, low_open=True, panel=PANEL)
MOMENTUM = Option("momentum", "float", "momentum factor", low=0, panel=PANEL)
NESTEROV = Option("nesterov", "bool", "Nesterov momentum", panel=PANEL)
BETAS = Option(
    "betas",
    "float_list",
    "decay rates of the first and second moment averages",
    low=0,
    high=1,
    high_open=True,
    length=2,
    example="0.9,0.999",
    panel=PANEL,
)
WEIGHT_DECAY = Option(
    "weight_decay", "float", "weight decay (coupled L2; decoupled for adamw)", low=0, panel=PANEL
)
ALPHA = Option(
    "alpha",
    "float",
    "EMA factor (momentum: of the gradients; rmsprop: of their squares)",
    low=0,
    high=1,
    high_open=True,
    panel=PANEL,
)
EPS = Option("eps", "float", "epsilon added to the denominator", low=0, panel=PANEL)
DECOUPLED = Option(
    "decoupled_weight_decay", "bool", "radam/nadam: decay the weights directly (AdamW's rule)", panel=PANEL
)
RHO = Option("rho", "float", "adadelta: decay of the running averages", low=0, high=1, panel=PANEL)
ETAS = Option(
    "etas",
    "float_list",
    "rprop: step-size factors after a sign flip and after a same sign",
    low=0,
    low_open=True,
    length=2,
    example="0.5,1.2",
    panel=PANEL,
)
LAMBD = Option("lambd", "float", "asgd: decay term", low=0, panel=PANEL)
T0 = Option("t0", "float", "asgd: the step at which averaging starts", low=0, panel=PANEL)

OPTIMIZERS = Registry("optimizer", "how the weights move given their gradients", error=UserError)
OPTIMIZERS.add(
    "sgd",
    optim.SGD,
    "stochastic gradient descent, optional (Nesterov) momentum",
    (LR, MOMENTUM, NESTEROV, WEIGHT_DECAY),
)
OPTIMIZERS.add("momentum", optim.Momentum, "the notes' momentum: v = a*v + (1-a)*g", (LR, ALPHA))
OPTIMIZERS.add(
    "adagrad", optim.Adagrad, "AdaGrad: per-weight steps shrink with the summed g^2", (LR, WEIGHT_DECAY, EPS)
)
OPTIMIZERS.add(
    "rmsprop",
    optim.RMSprop,
    "RMSprop: steps scaled by an EMA of g^2",
    (LR, ALPHA, EPS, WEIGHT_DECAY, MOMENTUM),
)
OPTIMIZERS.add(
    "adam", optim.Adam, "Adam: momentum + RMSprop with bias correction", (LR, BETAS, EPS, WEIGHT_DECAY)
)
OPTIMIZERS.add(
    "adamw", optim.AdamW, "AdamW: Adam with decoupled weight decay", (LR, BETAS, EPS, WEIGHT_DECAY)
)
OPTIMIZERS.add(
    "nadam", optim.NAdam, "NAdam: Adam with Nesterov momentum", (LR, BETAS, EPS, WEIGHT_DECAY, DECOUPLED)
)
OPTIMIZERS.add(
    "adamax", optim.Adamax, "Adamax: Adam with an infinity-norm second moment", (LR, BETAS, EPS, WEIGHT_DECAY)
)
OPTIMIZERS.add(
    "adadelta",
    optim.Adadelta,
    "Adadelta: steps scaled by RMS(past steps) / RMS(g)",
    (LR, RHO, EPS, WEIGHT_DECAY),
)
OPTIMIZERS.add(
    "radam",
    optim.RAdam,
    "RAdam: Adam with a rectified, warm-up-free adaptive step",
    (LR, BETAS, EPS, WEIGHT_DECAY, DECOUPLED),
)
OPTIMIZERS.add(
    "rprop", optim.Rprop, "Rprop: per-weight step sizes from gradient signs (full batch)", (LR, ETAS)
)
OPTIMIZERS.add(
    "asgd",
    optim.ASGD,
    "ASGD: SGD with a decaying step (its weight average stays in the state)",
    (LR, LAMBD, T0, WEIGHT_DECAY),
)
OPTIMIZERS.add(
    "adafactor", optim.Adafactor, "Adafactor: relative steps, factored second moment", (LR, WEIGHT_DECAY)
)
OPTIMIZERS.add(
    "lbfgs", optim.LBFGS, "L-BFGS (second order; use --batch-size full)", (LR,), needs_closure=True
)
