"""Differentiable operations, one ``Function`` subclass each (forward and backward together)."""
