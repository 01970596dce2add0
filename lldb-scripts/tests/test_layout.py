"""The package's layout: the pure modules load with no LLDB (and without typing, which costs
LLDB's import 5 ms); the entry point LLDB imports names what LLDB calls."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PURE = (
    "dx.contract",
    "dx.errors",
    "dx.channel",
    "dx.spec",
    "dx.signals",
    "dx.probes",
    "dx.describe",
    "dx.follow_rules",
    "dx.integrity",
    "dx.exit_handlers",
    "dx.early_write",
    "dx.link",
    "dx.output_relay",
)


def test_the_pure_modules_import_without_lldb_or_typing():
    code = (
        "import sys; sys.path.insert(0, %r)\n" % HERE
        + "".join("import %s\n" % name for name in PURE)
        + "print(sorted(m for m in ('lldb', 'typing') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_entry_point_names_the_commands_and_the_callback():
    tree = ast.parse(open(os.path.join(HERE, "debug_exit.py"), encoding="utf-8").read())
    names = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert {"SetupCommand", "RunCommand", "WatchCommand", "on_probe_hit"} <= names
    assert any(
        isinstance(node, ast.FunctionDef) and node.name == "__lldb_init_module"
        for node in tree.body
    )


def test_record_layouts_stay_where_debug_exit_inspect_reads_them():
    from dx import integrity

    assert os.path.exists(os.path.join(HERE, "record_layouts.json"))
    assert sorted(integrity.FIELDS) == [8, 9, 10]
