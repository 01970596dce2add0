"""debug-exit, the LLDB side: probes as auto-continuing breakpoints, one framed event per hit.

Loaded with `command script import debug_exit.py`. Registers three commands:
  dx-setup SPEC_PATH   create the target, store args/env/stdio/ASLR in it, install the probes
  dx-run               launch; follow the process until it is gone (capture mode)
  dx-watch             follow every process a person launches at the prompt (interactive mode)

Every event is one APC frame on debug-exit's socket, written with one write call:
ESC _ dx;<nonce>;<json> ESC \\ (docs/ARCHITECTURE.md, "The event channel"). Breakpoint callbacks
emit their own events and return False, so a probe hit costs one debugger stop and no round trip
to the TypeScript side.

The code is the package `dx` beside this file, one module per concern (dx/__init__.py lists
them); this module is what LLDB imports and names: the commands and the probe callback are
found here as debug_exit.SetupCommand, debug_exit.on_probe_hit, ...
"""

import os
import sys

# The package beside this script: `command script import` does not put it on the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dx.commands import RunCommand, SetupCommand, WatchCommand, install  # noqa: E402
from dx.session import on_probe_hit  # noqa: E402

__all__ = ["RunCommand", "SetupCommand", "WatchCommand", "on_probe_hit"]


def __lldb_init_module(debugger, internal_dict):
    install(debugger, __name__)
