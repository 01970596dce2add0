"""lldb-scripts/boot/sitecustomize.py, the start-up hook that keeps the compiled code of LLDB's
`lldb` module in debug-exit's cache: which sources go to the cache, when a cached .pyc is fresh,
and how the user's environment is put back. No LLDB needed."""

import importlib.util
import os
import struct

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location(
    "dx_boot_under_test", os.path.join(os.path.dirname(HERE), "boot", "sitecustomize.py")
)
boot = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(boot)
MAGIC = importlib.util.MAGIC_NUMBER


def header(mtime, size, magic=MAGIC, flags=0):
    return magic + struct.pack("<III", flags, mtime & 0xFFFFFFFF, size & 0xFFFFFFFF)


def test_a_header_is_fresh_only_for_the_same_magic_mtime_and_size():
    assert boot.is_fresh_header(header(1000, 20), 1000, 20, MAGIC)
    assert not boot.is_fresh_header(header(1000, 20), 1001, 20, MAGIC)
    assert not boot.is_fresh_header(header(1000, 20), 1000, 21, MAGIC)
    assert not boot.is_fresh_header(header(1000, 20, magic=b"\x00\x00\r\n"), 1000, 20, MAGIC)
    # hash-based .pyc (flags != 0) are not ours to judge
    assert not boot.is_fresh_header(header(1000, 20, flags=1), 1000, 20, MAGIC)
    assert not boot.is_fresh_header(b"short", 1000, 20, MAGIC)


def test_only_sources_without_compiled_code_of_their_own_go_to_the_cache(tmp_path):
    has_pyc = tmp_path / "pkg" / "__pycache__" / "a.cpython-311.pyc"
    has_pyc.parent.mkdir(parents=True)
    has_pyc.write_bytes(b"x")
    cache = tmp_path / "cache"
    compiled = []

    def original(path, debug_override=None, *, optimization=None):
        return str(
            tmp_path / "pkg" / "__pycache__" / (os.path.basename(path)[:-3] + ".cpython-311.pyc")
        )

    hook = boot.redirecting(
        original, str(cache), lambda source, target: compiled.append((source, target))
    )
    assert hook(str(tmp_path / "pkg" / "a.py")) == str(has_pyc)
    ours = hook(str(tmp_path / "pkg" / "b.py"))
    assert ours.startswith(str(cache) + os.sep)
    assert ours.endswith(os.path.join("pkg", "__pycache__", "b.cpython-311.pyc"))
    assert compiled == [(str(tmp_path / "pkg" / "b.py"), ours)]


def test_a_cached_module_is_compiled_once_and_again_when_its_source_changes(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("VALUE = 1\n")
    target = tmp_path / "cache" / "mod.pyc"
    boot.compile_into(str(source), str(target))
    assert boot.is_fresh(str(target), str(source))
    source.write_text("VALUE = 22\n")  # another size: stale
    assert not boot.is_fresh(str(target), str(source))


def test_the_users_environment_is_put_back(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/ours/boot:/theirs")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    boot.restore_environment('{"PYTHONPATH": "/theirs", "PYTHONDONTWRITEBYTECODE": null}')
    assert os.environ["PYTHONPATH"] == "/theirs"
    assert "PYTHONDONTWRITEBYTECODE" not in os.environ


@pytest.mark.parametrize("raw", ["", "not json", "[1, 2]", '{"Y": null}'])
def test_a_malformed_restore_list_changes_nothing_it_does_not_name(monkeypatch, raw):
    monkeypatch.setenv("X", "kept")
    boot.restore_environment(raw)
    assert os.environ["X"] == "kept"


def test_a_name_without_a_string_value_is_unset(monkeypatch):
    monkeypatch.setenv("X", "set by the tool")
    boot.restore_environment('{"X": 3}')
    assert "X" not in os.environ


def test_only_a_private_folder_of_ours_is_trusted(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    os.chmod(private, 0o700)
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    link = tmp_path / "link"
    link.symlink_to(private)
    assert boot.owned_private_dir(str(private))
    assert not boot.owned_private_dir(str(shared))
    assert not boot.owned_private_dir(str(link))
    assert not boot.owned_private_dir(str(tmp_path / "missing"))
