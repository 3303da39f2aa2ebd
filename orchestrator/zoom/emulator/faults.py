"""Fault injection: make the emulated Zoom fail the way the real one sometimes does.

Rules are checked in the order they were added; the first rule that matches the request (path glob,
methods) and fires (remaining ``count``, ``probability`` rolled on a seeded RNG) decides the fault.
Command-line form (``--fault``): ``KIND[:OPTION]...`` with options ``count=N``, ``p=0.1``,
``path=/v2/meetings/*``, ``method=POST,PATCH``, ``delay=2``; a bare ``0.1`` is a probability and a
bare ``3`` a count. Examples: ``429:0.1``, ``500:count=3:path=/v2/meetings/*``, ``slow:delay=2``,
``token-expired:count=1``.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal, cast, get_args

from orchestrator.errors import BadInput
from orchestrator.i18n import _

FaultKind = Literal["429", "429-no-headers", "429-daily", "500", "502", "503", "slow", "token-expired"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


@dataclass
class FaultRule:
    """One kind of fault for the requests matching ``path_glob`` and ``methods``.

    ``count``: how many more times it fires (``None``: no limit). ``probability``: chance per
    matching request (``None``: always). ``delay_s``: how long a ``slow`` answer is held back
    (the request is processed first, like a server that answers too late).
    """

    kind: FaultKind
    path_glob: str = "*"
    methods: frozenset[str] | None = None
    count: int | None = None
    probability: float | None = None
    delay_s: float = 2.0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {', '.join(FAULT_KINDS)}")
        if self.methods is not None:
            self.methods = frozenset(m.upper() for m in self.methods)
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if self.count is not None and self.count < 0:
            raise ValueError("count must not be negative")
        if self.delay_s < 0:
            raise ValueError("delay must not be negative")

    def matches(self, method: str, path: str) -> bool:
        if self.methods is not None and method.upper() not in self.methods:
            return False
        return fnmatchcase(path, self.path_glob)


class Faults:
    """A thread-safe, ordered set of :class:`FaultRule` with a seeded random generator."""

    def __init__(self, rules: list[FaultRule] | None = None, *, seed: int = 0) -> None:
        self._rules: list[FaultRule] = list(rules or [])
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> FaultRule:
        """Add ``rule`` after the existing ones and return it (its ``fired`` counts firings)."""
        with self._lock:
            self._rules.append(rule)
        return rule

    def inject(
        self,
        kind: FaultKind,
        *,
        path_glob: str = "*",
        methods: set[str] | frozenset[str] | None = None,
        count: int | None = None,
        probability: float | None = None,
        delay_s: float = 2.0,
    ) -> FaultRule:
        """Shorthand for ``add(FaultRule(...))``."""
        return self.add(
            FaultRule(kind, path_glob, frozenset(methods) if methods else None, count, probability, delay_s)
        )

    def add_spec(self, spec: str) -> FaultRule:
        """Parse a command-line fault spec (see module docs) and add it."""
        return self.add(parse_fault(spec))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, method: str, path: str, exclude: tuple[str, ...] = ()) -> FaultRule | None:
        """The fault to apply to this request, if any (consumes one of its ``count``).

        ``exclude``: kinds that make no sense for this request (no token expiry on the token endpoint).
        """
        with self._lock:
            for rule in self._rules:
                if rule.kind in exclude or not rule.matches(method, path) or rule.count == 0:
                    continue
                if rule.probability is not None and self._rng.random() >= rule.probability:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                rule.fired += 1
                return rule
        return None


def parse_fault(spec: str) -> FaultRule:
    """Parse ``KIND[:OPTION]...`` into a rule; a :class:`BadInput` names the problem."""
    kind, *options = [part.strip() for part in spec.strip().split(":")]
    if kind not in FAULT_KINDS:
        raise BadInput(
            _(
                "Unknown fault '{kind}' in --fault {spec}; use one of: {kinds}.",
                kind=kind,
                spec=spec,
                kinds=", ".join(FAULT_KINDS),
            )
        )
    values: dict[str, object] = {}
    for option in options:
        try:
            _apply_option(values, option)
        except ValueError as exc:
            raise BadInput(
                _(
                    "Invalid option '{option}' in --fault {spec}: {reason}",
                    option=option,
                    spec=spec,
                    reason=exc,
                )
            ) from exc
    try:
        return FaultRule(
            kind=cast(FaultKind, kind),
            path_glob=str(values.get("path", "*")),
            methods=cast("frozenset[str] | None", values.get("methods")),
            count=cast("int | None", values.get("count")),
            probability=cast("float | None", values.get("probability")),
            delay_s=cast(float, values.get("delay", 2.0)),
        )
    except ValueError as exc:
        raise BadInput(_("Invalid --fault {spec}: {reason}", spec=spec, reason=exc)) from exc


def _apply_option(values: dict[str, object], option: str) -> None:
    if "=" not in option:
        # bare numbers: "0.1" is a probability, "3" a count
        if "." in option:
            values["probability"] = float(option)
        else:
            values["count"] = int(option)
        return
    key, value = (x.strip() for x in option.split("=", 1))
    key = key.lower()
    if key == "count":
        values["count"] = int(value)
    elif key in {"p", "prob", "probability"}:
        values["probability"] = float(value)
    elif key == "path":
        values["path"] = value
    elif key in {"method", "methods"}:
        values["methods"] = frozenset(m.strip().upper() for m in value.split(",") if m.strip())
    elif key in {"delay", "delay_s"}:
        values["delay"] = float(value)
    else:
        raise ValueError(f"unknown option {key!r} (count, p, path, method, delay)")
