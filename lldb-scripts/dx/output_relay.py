"""--program-output terminal: the program's stdout and stderr go to a FIFO that this script relays,
byte for byte, to LLDB's terminal (fd 1), and drains before dx-run reports that it is done.

LLDB's own forwarding of a process's output runs on its event thread and lags far behind a
program that writes fast (200 MB took from 15 s to minutes on these machines); once dx-run has
reported the exit, debug-exit quits LLDB, and whatever LLDB had not printed yet was lost. Here the
program blocks on the FIFO while the relay writes, so when the program is gone, what is left is
what the FIFO holds: read to its end (every writer closed), bounded by DRAIN_LIMIT_S for a
descendant that keeps the FIFO open.
"""

import os
import select
import shutil
import tempfile
import threading

DRAIN_LIMIT_S = 30.0
CHUNK = 1 << 16
POLL_S = 0.5


class OutputRelay:
    """One run's FIFO, its reader thread, and the drain at the end."""

    def __init__(self, write_all):
        self._write_all = write_all  # (fd, bytes): every byte, EINTR and partial writes handled
        self.folder = tempfile.mkdtemp(prefix="debug-exit-output-")  # 0700
        self.path = os.path.join(self.folder, "program-output")
        os.mkfifo(self.path, 0o600)
        # Both ends open here (O_CLOEXEC by Python's default): the read end never sees EOF before
        # the program has opened its own write end, and the program never blocks on opening it.
        self._read_fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self._keep_fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._relay, name="debug-exit.output", daemon=True)
        self._thread.start()

    def launched(self):
        """The program holds its write end now: ours goes, so EOF comes when the program's does."""
        self._close_keep()
        shutil.rmtree(self.folder, ignore_errors=True)  # the open FIFO lives on without its name

    def drain(self, limit_s=DRAIN_LIMIT_S):
        """Wait until the program's output has all been written to LLDB's terminal (or limit_s)."""
        self._close_keep()
        self._finished.wait(limit_s)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _close_keep(self):
        if self._keep_fd is not None:
            os.close(self._keep_fd)
            self._keep_fd = None

    def _relay(self):
        try:
            while True:
                readable, _, _ = select.select([self._read_fd], [], [], POLL_S)
                if not readable:
                    continue
                try:
                    data = os.read(self._read_fd, CHUNK)
                except BlockingIOError:
                    continue
                if not data:
                    return  # every writer closed: the program and its descendants are done
                self._write_all(1, data)
        except OSError:
            return  # LLDB's terminal is gone (EIO): nobody left to show the output to
        finally:
            os.close(self._read_fd)
            self._finished.set()
