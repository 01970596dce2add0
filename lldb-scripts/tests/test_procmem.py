"""dx/procmem.py: a local process's data read straight from /proc/PID/mem (this test reads its
own), and when it is not used (another platform, no pid), so the caller reads through LLDB."""

import ctypes
import os

from dx import procmem


class FakeProcess:
    def __init__(self, platform: str, pid: int) -> None:
        self.platform, self.pid = platform, pid

    def GetTarget(self):  # noqa: N802 - the SB API's names
        return self

    def GetPlatform(self):  # noqa: N802
        return self

    def GetName(self):  # noqa: N802
        return self.platform

    def GetProcessID(self):  # noqa: N802
        return self.pid


def test_reads_the_bytes_at_an_address_of_a_local_process():
    buffer = ctypes.create_string_buffer(b"exit handler block\x00\xff", 20)
    pid = procmem.host_pid(FakeProcess("host", os.getpid()))
    assert pid == os.getpid()
    assert procmem.read_proc_mem(pid, ctypes.addressof(buffer), 20) == b"exit handler block\x00\xff"


def test_a_remote_process_or_no_pid_is_left_to_lldb():
    assert procmem.host_pid(FakeProcess("remote-linux", 1234)) is None
    assert procmem.host_pid(FakeProcess("host", 0)) is None
    assert procmem.read_proc_mem(None, 0x1000, 8) is None


def test_an_unmapped_address_reads_as_none():
    assert procmem.read_proc_mem(os.getpid(), 8, 16) is None
