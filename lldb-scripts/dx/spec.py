"""The session spec `debug-exit/spec@1`: read from a file (dx-setup SPEC_PATH) or from debug-exit's
greeting, checked field by field, and turned into a Spec. Pure: no LLDB import."""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass

from .contract import EVENT_SCHEMA, EXPERIMENTS, MAX_BACKTRACE_DEPTH, SPEC_SCHEMA
from .contract import PROBE_MODES as MODES
from .channel import NONCE_RE
from .errors import DxError

__all__ = [
    "EVENT_SCHEMA",
    "MAX_BACKTRACE_DEPTH",
    "MODES",
    "SPEC_FIELDS",
    "SPEC_SCHEMA",
    "ProbeRow",
    "Spec",
    "checked_spec",
    "read_spec",
    "spec_path_of",
]


def is_text(value: object) -> bool:
    return isinstance(value, str) and "\0" not in value


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_probe_row(row: object) -> bool:
    return (
        isinstance(row, dict)
        and is_text(row.get("role"))
        and row["role"] != ""
        and isinstance(row.get("symbols"), list)
        and all(is_text(symbol) and symbol != "" for symbol in row["symbols"])
        and row.get("mode") in MODES
        and isinstance(row.get("reads_registered_function", False), bool)
    )


# field -> (default, check); a field absent from the spec takes its default
SPEC_FIELDS = {
    "program": (None, lambda v: is_text(v) and v != ""),
    "args": ([], lambda v: isinstance(v, list) and all(is_text(a) for a in v)),
    "env": (
        {},
        lambda v: (
            isinstance(v, dict)
            and all(is_text(k) and k != "" and "=" not in k and is_text(x) for k, x in v.items())
        ),
    ),
    "stdout_path": (None, lambda v: v is None or (is_text(v) and v != "")),
    "stderr_path": (None, lambda v: v is None or (is_text(v) and v != "")),
    "timeout_s": (None, lambda v: v is None or (is_number(v) and v > 0)),
    "disable_aslr": (True, lambda v: isinstance(v, bool)),
    "backtrace_depth": (
        16,
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_BACKTRACE_DEPTH,
    ),
    "probes": ([], lambda v: isinstance(v, list) and all(is_probe_row(r) for r in v)),
    "experiment": (None, lambda v: v is None or v in EXPERIMENTS),
    # --census: "list" reads the C library's exit handler list at exit(); "stops" probes every call
    "census": (None, lambda v: v in (None, "list", "stops")),
}


@dataclass(frozen=True)
class ProbeRow:
    """One row of the spec's probes: a role, its symbols (one breakpoint each) and its mode."""

    role: str
    symbols: tuple[str, ...]
    mode: str  # one of MODES
    reads_registered_function: bool = False


@dataclass(frozen=True)
class Spec:
    """A checked spec@1: every field present, with its default where the file had none."""

    nonce: str
    program: str
    args: list[str]
    env: dict[str, str]
    stdout_path: str | None
    stderr_path: str | None
    timeout_s: float | None
    disable_aslr: bool
    backtrace_depth: int
    probes: tuple[ProbeRow, ...]
    experiment: str | None
    census: str | None  # "list" | "stops" | None


def read_spec(path: str | None, greeting: dict | None = None) -> dict:
    """Load the spec and check its schema id and nonce (the rest is checked by checked_spec).
    With no path, the spec debug-exit sent in its greeting over the channel."""
    if not path and greeting is not None:
        spec = greeting.get("spec")
        path = "(channel)"
    elif not path:
        raise DxError("script", "usage: dx-setup SPEC_PATH")
    else:
        try:
            with open(path, encoding="utf-8") as spec_file:
                spec = json.load(spec_file)
        except (OSError, ValueError) as exc:
            raise DxError("script", "cannot read spec %r: %s" % (path, exc)) from exc
    if not isinstance(spec, dict) or spec.get("schema") != SPEC_SCHEMA:
        raise DxError("script", "%r is not a %s file" % (path, SPEC_SCHEMA))
    if not isinstance(spec.get("nonce"), str) or not NONCE_RE.match(spec["nonce"]):
        raise DxError("script", "spec nonce must be 1-128 characters of [A-Za-z0-9_-]")
    return spec


def checked_spec(spec: dict) -> Spec:
    """Every field of SPEC_FIELDS checked (DxError naming the first bad one), defaults filled."""
    checked = {}
    for field, (default, check) in SPEC_FIELDS.items():
        value = spec.get(field, default)
        if not check(value):
            raise DxError("script", "spec field %s is invalid: %s" % (field, invalid_part(value)))
        checked[field] = value
    checked["probes"] = tuple(
        ProbeRow(
            role=row["role"],
            symbols=tuple(row["symbols"]),
            mode=row["mode"],
            reads_registered_function=row.get("reads_registered_function", False),
        )
        for row in checked["probes"]
    )
    return Spec(nonce=spec["nonce"], **checked)


def invalid_part(value: object) -> str:
    """The first bad probe row rather than the whole list."""
    if isinstance(value, list):
        bad = [row for row in value if isinstance(row, dict) and not is_probe_row(row)]
        if bad:
            return "row %s (mode is one of %s)" % (json.dumps(bad[0])[:300], ", ".join(MODES))
    return json.dumps(value)[:300]


def spec_path_of(command: str) -> str:
    """SPEC_PATH as typed: verbatim when it names a file, else one shell-quoted word."""
    raw = command.strip()
    if os.path.exists(raw):
        return raw
    try:
        words = shlex.split(raw)
    except ValueError:
        return raw
    return words[0] if len(words) == 1 else raw
