"""Random number generation: ``Generator``, ``manual_seed`` and the default generator.

Backed by NumPy's PCG64. Values differ from PyTorch's Mersenne Twister streams (no attempt is made
to reproduce them), but a given seed reproduces mlplab's own results bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Generator:
    """A seeded source of random numbers, as ``torch.Generator``.

    ``get_state``/``set_state`` return and accept a JSON-friendly dict, so checkpoints can store it
    without pickle.
    """

    def __init__(self, device: str = "cpu") -> None:
        self._seed = 67280421310721
        self.rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        """Reseed the generator; returns it (as PyTorch does)."""
        seed = int(seed)
        if seed < 0:
            seed = seed & 0xFFFF_FFFF_FFFF_FFFF
        self._seed = seed
        self.rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self) -> int:
        """Reseed from OS entropy and return the new seed."""
        s = int(np.random.SeedSequence().entropy % (2**63))
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict[str, Any]:
        st = self.rng.bit_generator.state
        return {
            "bit_generator": st["bit_generator"],
            "state": {"state": int(st["state"]["state"]), "inc": int(st["state"]["inc"])},
            "has_uint32": int(st["has_uint32"]),
            "uinteger": int(st["uinteger"]),
            "seed": self._seed,
        }

    def set_state(self, state: dict[str, Any]) -> None:
        if not isinstance(state, dict) or "state" not in state:
            raise TypeError(
                f"Generator.set_state expects a dict from get_state(), got {type(state).__name__}"
            )
        st = {k: v for k, v in state.items() if k != "seed"}
        self.rng.bit_generator.state = st
        self._seed = state.get("seed", self._seed)


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (used by rand, randn, init, Dropout, DataLoader shuffling)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict[str, Any]:
    return default_generator.get_state()


def set_rng_state(new_state: dict[str, Any]) -> None:
    default_generator.set_state(new_state)


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (the default one when None)."""
    return (generator or default_generator).rng
