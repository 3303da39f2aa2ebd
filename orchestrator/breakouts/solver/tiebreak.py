"""Deterministic tie-breaking weights.

Many plans are equally good. To pick one reproducibly, and without favouring people by the
alphabetical order of their keys, every (person, room) pair gets a pseudo-random weight derived only
from their names. The solvers minimise ``primary * scale + weight``; ``scale`` exceeds any possible
sum of weights, so the primary objective always wins and the weights act as a lexicographic
second objective (a seeded lottery among the optimal plans).
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

WEIGHT_RANGE = 1024  # weights are in [0, WEIGHT_RANGE)

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def name_hashes(names: list[str], salt: str = "") -> npt.NDArray[np.uint64]:
    """A stable 64-bit hash per name (independent of Python's per-process hash seed)."""
    return np.array(
        [
            int.from_bytes(hashlib.blake2b((salt + name).encode(), digest_size=8).digest(), "big")
            for name in names
        ],
        dtype=np.uint64,
    )


def _splitmix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    z = (values + np.uint64(0x9E3779B97F4A7C15)) & _MASK
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK
    return z ^ (z >> np.uint64(31))


def pair_weights(
    person_hashes: npt.NDArray[np.uint64], room_hashes: npt.NDArray[np.uint64]
) -> npt.NDArray[np.int64]:
    """Weights in ``[0, WEIGHT_RANGE)`` for element-wise (person, room) hash pairs."""
    mixed = _splitmix(person_hashes ^ _splitmix(room_hashes))
    return (mixed % np.uint64(WEIGHT_RANGE)).astype(np.int64)


def scale_for(units: int) -> int:
    """Multiplier for primary costs so that ``units`` weights together never outweigh one cost unit."""
    return (units + 1) * WEIGHT_RANGE
