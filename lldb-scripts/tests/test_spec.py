"""dx.spec: a spec@1 file or greeting read, checked field by field, and turned into a Spec."""

from __future__ import annotations

import json

import pytest

from dx import contract, spec
from dx.errors import DxError

NONCE = "n0nce_-X"


def minimal(**fields):
    return {"schema": contract.SPEC_SCHEMA, "nonce": NONCE, "program": "/bin/true", **fields}


def write(tmp_path, value, name="spec.json"):
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return str(path)


def test_the_checker_covers_every_field_of_the_contract():
    assert sorted(spec.SPEC_FIELDS) == sorted(contract.SPEC_FIELDS)
    assert spec.MODES == contract.PROBE_MODES


def test_read_spec_from_a_file_and_from_the_greeting(tmp_path):
    from_file = spec.read_spec(write(tmp_path, minimal()))
    assert from_file["nonce"] == NONCE
    from_greeting = spec.read_spec("", {"nonce": NONCE, "spec": minimal(args=["a"])})
    assert from_greeting["args"] == ["a"]


def test_a_path_wins_over_the_greeting(tmp_path):
    read = spec.read_spec(write(tmp_path, minimal(program="/from/file")), {"spec": minimal()})
    assert read["program"] == "/from/file"


@pytest.mark.parametrize(
    "value, message",
    [
        ("{not json", "cannot read spec"),
        ({"schema": "debug-exit/spec@2", "nonce": NONCE}, "is not a debug-exit/spec@1 file"),
        (["a", "list"], "is not a debug-exit/spec@1 file"),
        (minimal(nonce="bad nonce;"), "spec nonce must be 1-128 characters"),
        (minimal(nonce="x" * 129), "spec nonce must be 1-128 characters"),
        (minimal(nonce=7), "spec nonce must be 1-128 characters"),
    ],
)
def test_read_spec_refuses(tmp_path, value, message):
    with pytest.raises(DxError) as caught:
        spec.read_spec(write(tmp_path, value))
    assert caught.value.code == "script"
    assert message in caught.value.message


def test_read_spec_without_path_or_greeting_is_a_usage_error(tmp_path):
    with pytest.raises(DxError, match="usage: dx-setup SPEC_PATH"):
        spec.read_spec("")
    with pytest.raises(DxError, match="cannot read spec"):
        spec.read_spec(str(tmp_path / "missing.json"))


def test_checked_spec_fills_the_defaults():
    checked = spec.checked_spec(minimal())
    assert checked == spec.Spec(
        nonce=NONCE,
        program="/bin/true",
        args=[],
        env={},
        stdout_path=None,
        stderr_path=None,
        timeout_s=None,
        disable_aslr=True,
        backtrace_depth=16,
        probes=(),
        experiment=None,
        census=None,
    )


def test_checked_spec_turns_probe_rows_into_probe_rows():
    rows = [
        {"role": "main", "symbols": ["main"], "mode": "once"},
        {
            "role": "atexit-register",
            "symbols": ["atexit", "__cxa_atexit"],
            "mode": "every",
            "reads_registered_function": True,
        },
    ]
    checked = spec.checked_spec(minimal(probes=rows, census="stops", timeout_s=2.5))
    assert checked.probes == (
        spec.ProbeRow("main", ("main",), "once", False),
        spec.ProbeRow("atexit-register", ("atexit", "__cxa_atexit"), "every", True),
    )
    assert checked.census == "stops" and checked.timeout_s == 2.5


@pytest.mark.parametrize(
    "field, value",
    [
        ("program", ""),
        ("program", "a\0b"),
        ("args", ["ok", 3]),
        ("env", {"A=B": "x"}),
        ("env", {"": "x"}),
        ("stdout_path", ""),
        ("timeout_s", 0),
        ("timeout_s", True),
        ("disable_aslr", "yes"),
        ("backtrace_depth", contract.MAX_BACKTRACE_DEPTH + 1),
        ("backtrace_depth", 1.5),
        ("experiment", "late-write"),
        ("census", "all"),
    ],
)
def test_checked_spec_names_the_bad_field(field, value):
    with pytest.raises(DxError) as caught:
        spec.checked_spec(minimal(**{field: value}))
    assert caught.value.message.startswith("spec field %s is invalid: " % field)


def test_a_bad_probe_row_is_named_with_the_modes():
    rows = [
        {"role": "main", "symbols": ["main"], "mode": "once"},
        {"role": "exit", "symbols": ["exit"], "mode": "sometimes"},
    ]
    with pytest.raises(DxError) as caught:
        spec.checked_spec(minimal(probes=rows))
    message = caught.value.message
    assert '"mode": "sometimes"' in message
    assert "mode is one of every, once, once-per-write, until-main" in message
    assert '"once"' not in message  # the good row is not quoted


def test_spec_path_of(tmp_path):
    named = write(tmp_path, minimal(), name="a spec.json")
    assert spec.spec_path_of("  %s  " % named) == named  # an existing file, verbatim
    assert spec.spec_path_of("'/x/with space.json'") == "/x/with space.json"
    assert spec.spec_path_of("/x/one.json") == "/x/one.json"
    assert spec.spec_path_of("two words") == "two words"
    assert spec.spec_path_of("'unbalanced") == "'unbalanced"
