"""The lab's experiments, one module each; every module registers itself with
:func:`mlplab.lab.core.experiment` when imported."""
