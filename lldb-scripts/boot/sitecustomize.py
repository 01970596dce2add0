"""debug-exit's start-up hook for LLDB's embedded Python (found through PYTHONPATH, set by the tool).

LLDB imports its own `lldb` module (685 KB of generated Python on Debian's lldb-19) every time it
starts, and it starts its Python with bytecode writing off: where the package ships no
`__pycache__` (Debian's LLVM packages, a read-only Xcode), every start compiles it again, about
0.25 s. This hook keeps the compiled code of such modules in debug-exit's own cache folder
(DX_PYC_DIR, mode 0700, ours), compiled once, checked against the source like any `.pyc`.

It changes nothing else: a module that has its own `.pyc` keeps it, the system's sitecustomize
still runs, and the variables the tool set for this are put back as the user had them
(DX_RESTORE_ENV) before LLDB can launch anything, so the target inherits the user's environment.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

PYC_DIR_ENV = "DX_PYC_DIR"
RESTORE_ENV = "DX_RESTORE_ENV"
HERE = os.path.dirname(os.path.abspath(__file__))


def cached_path(pyc_dir: str, standard: str) -> str:
    """Where the compiled code of a source goes in our folder: its standard path, under ours."""
    return os.path.join(pyc_dir, standard.lstrip(os.sep))


def redirecting(original, pyc_dir: str, compile_into):
    """A cache_from_source that sends only the sources with no compiled code of their own to us."""

    def cache_from_source(path, debug_override=None, *, optimization=None):
        standard = original(path, debug_override, optimization=optimization)
        if os.path.exists(standard):
            return standard
        ours = cached_path(pyc_dir, standard)
        if not is_fresh(ours, path):
            compile_into(path, ours)
        return ours

    return cache_from_source


def is_fresh(pyc: str, source: str) -> bool:
    """The .pyc header matches the source as the import system checks it (magic, mtime, size)."""
    try:
        with open(pyc, "rb") as handle:
            header = handle.read(16)
        st = os.stat(source)
    except OSError:
        return False
    return is_fresh_header(header, int(st.st_mtime), st.st_size, importlib.util.MAGIC_NUMBER)


def is_fresh_header(header: bytes, mtime: int, size: int, magic: bytes) -> bool:
    if len(header) != 16 or header[:4] != magic or header[4:8] != bytes(4):
        return False
    return header[8:12] == (mtime & 0xFFFFFFFF).to_bytes(4, "little") and header[12:16] == (
        size & 0xFFFFFFFF
    ).to_bytes(4, "little")


def compile_into(source: str, target: str) -> None:
    """Compile once into our folder; any failure leaves the import to compile as it always did."""
    import py_compile

    try:
        os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
        py_compile.compile(source, cfile=target, doraise=True)
    except Exception:  # noqa: BLE001 - a cache miss is never an error
        pass


def owned_private_dir(path: str) -> bool:
    """Only a folder of ours that no one else can write is trusted with code."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    import stat

    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


def restore_environment(raw: str | None) -> None:
    """Put back the variables the tool changed for LLDB: a value, or null for unset."""
    if not raw:
        return
    try:
        saved = json.loads(raw)
    except ValueError:
        return
    if not isinstance(saved, dict):
        return
    for name, value in saved.items():
        if not isinstance(name, str):
            continue
        if isinstance(value, str):
            os.environ[name] = value
        else:
            os.environ.pop(name, None)


def run_system_sitecustomize() -> None:
    """The sitecustomize this one shadows (Debian's installs apport's hook), if there is one."""
    for entry in sys.path:
        if not entry or os.path.abspath(entry) == HERE:
            continue
        candidate = os.path.join(entry, "sitecustomize.py")
        if os.path.isfile(candidate):
            spec = importlib.util.spec_from_file_location("_system_sitecustomize", candidate)
            if spec is None or spec.loader is None:
                return
            try:
                spec.loader.exec_module(importlib.util.module_from_spec(spec))
            except Exception:  # noqa: BLE001 - as site.py does: a broken hook does not stop Python
                pass
            return


def install() -> None:
    pyc_dir = os.environ.pop(PYC_DIR_ENV, None)
    restore_environment(os.environ.pop(RESTORE_ENV, None))
    run_system_sitecustomize()
    if pyc_dir and os.path.isabs(pyc_dir) and owned_private_dir(pyc_dir):
        bootstrap = sys.modules["importlib._bootstrap_external"]
        bootstrap.cache_from_source = redirecting(
            bootstrap.cache_from_source, pyc_dir, compile_into
        )


if __name__ == "sitecustomize":  # imported by site.py at start-up; a test imports it by path
    install()
