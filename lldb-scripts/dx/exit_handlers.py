"""The C library's own list of registered exit handlers, read once at the first exit() call.

`--census` (mode "list") reads this list instead of stopping at every atexit/__cxa_atexit call:
one stop whatever the number of registrations. The blocks are parsed from bytes that a memory
reader passed in reads (ProcessMemory in LLDB, bytes in lldb-scripts/tests); session.py emits.

glibc (tested here, x86_64 and aarch64 layouts): `__exit_funcs` points to the newest block of a
chain of `struct exit_function_list { next; size_t idx; struct exit_function fns[32]; }`, each
`struct exit_function { long flavor; union { at; on {fn, arg}; cxa {fn, arg, dso_handle} } func; }`
(32 bytes). Flavors: ef_free 0, ef_us 1, ef_on 2, ef_at 3, ef_cxa 4. Function pointers are stored
PTR_MANGLE'd: x86_64 `rol(p ^ guard, 0x11)`, aarch64 `p ^ guard`, where guard is the TCB's
`pointer_guard` (x86_64: fs:0x30, tcbhead_t; aarch64: `__pointer_chk_guard_local`). The symbol is
local to libc: LLDB sees it with Debian's libc6-dbg (its types give the offsets; the ABI layout
above is the fallback when only the symbol is there).

macOS (UNTESTED here: no Mac is reachable; written from Apple's Libc stdlib/FreeBSD/atexit.c):
libsystem_c's `static struct atexit *__atexit`, blocks of ATEXIT_SIZE 32 of
`struct atexit { next; int ind; struct atexit_fn { int fn_type; fn_ptr; fn_arg; fn_dso; } fns[32]; }`;
fn_type ATEXIT_FN_EMPTY 0, _STD 1, _CXA 2, _BLK 3 (a block: fn_ptr is the block literal). No
mangling; arm64e signs code pointers, stripped with SBProcess.FixAddress where LLDB has it.

Registration order: blocks oldest first (the chain runs newest first), each block's entries 0..n-1.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .procmem import host_pid, read_live

try:
    import lldb
except ImportError:  # the unit tests (lldb-scripts/tests) parse blocks from bytes, with no LLDB
    lldb = None

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable

BLOCK_ENTRIES = 32
GLIBC_FLAVORS = {0: "free", 1: "us", 2: "on", 3: "at", 4: "cxa"}
GLIBC_VIA = {"on": "on_exit", "at": "atexit", "cxa": "__cxa_atexit"}
DARWIN_FLAVORS = {0: "free", 1: "std", 2: "cxa", 3: "block"}
DARWIN_VIA = {"std": "atexit", "cxa": "__cxa_atexit", "block": "atexit_b"}
MAX_BLOCKS = 1 << 20  # a cycle or garbage pointer ends the walk rather than LLDB
X86_64_GUARD_OFFSET = 0x30  # tcbhead_t.pointer_guard
MASK64 = (1 << 64) - 1


class Unreadable(Exception):
    """The list cannot be read here: the census falls back to a stop per registration."""


class ReadFailed(Exception):
    """A memory reader could not read the bytes asked for; the argument is why."""


@dataclass(frozen=True)
class ExitHandler:
    """One registered handler, raw addresses: how it was registered and what it will call."""

    flavor: str  # glibc: on | at | cxa; macOS: std | cxa | block
    via: str  # the registering call: atexit, __cxa_atexit, on_exit, atexit_b
    function: int
    arg: int | None = None
    dso_handle: int | None = None


class ProcessMemory:
    """The stopped process's memory: read(address, size) -> bytes, or ReadFailed. The list's
    blocks are heap data: /proc/PID/mem when the process is local (procmem.py; 313 blocks of a
    10,000-handler list took 0.24 s through LLDB), else SBProcess.ReadMemory."""

    def __init__(self, process) -> None:
        self.process = process
        self.pid = host_pid(process)

    def read(self, address: int, size: int) -> bytes:
        data = read_live(self.process, self.pid, address, size)
        if data is None:
            raise ReadFailed("cannot read %d bytes at 0x%x" % (size, address))
        return data


def rotate_right(value: int, bits: int) -> int:
    return ((value >> bits) | (value << (64 - bits))) & MASK64


def demangle_x86_64(stored: int, guard: int) -> int:
    """Inverse of glibc's x86_64 PTR_MANGLE (xor with the guard, then rotate left 17)."""
    return rotate_right(stored, 17) ^ guard


def order_entries(blocks: list[list]) -> list:
    """blocks: newest first, each a list of entries in slot order -> registration order."""
    ordered = []
    for block in reversed(blocks):
        ordered.extend(block)
    return ordered


def find_list_head(target) -> tuple[str, int]:
    """(platform, address of the head pointer variable), or raise Unreadable."""
    triple = target.GetTriple() or ""
    if "apple" in triple or "darwin" in triple or "macos" in triple:
        symbols = target.FindSymbols("__atexit")
        for index in range(symbols.GetSize()):
            symbol = symbols.GetContextAtIndex(index).GetSymbol()
            address = symbol.GetStartAddress().GetLoadAddress(target)
            if symbol.IsValid() and address != lldb.LLDB_INVALID_ADDRESS:
                return "darwin", address
        raise Unreadable("libsystem_c's __atexit symbol is not visible to LLDB")
    variable = target.FindFirstGlobalVariable("__exit_funcs")
    if variable.IsValid() and variable.GetLoadAddress() != lldb.LLDB_INVALID_ADDRESS:
        return "glibc", variable.GetLoadAddress()
    symbols = target.FindSymbols("__exit_funcs")
    for index in range(symbols.GetSize()):
        address = (
            symbols.GetContextAtIndex(index).GetSymbol().GetStartAddress().GetLoadAddress(target)
        )
        if address != lldb.LLDB_INVALID_ADDRESS:
            return "glibc", address
    raise Unreadable(
        "glibc's __exit_funcs is not visible to LLDB (install its debug symbols: Debian libc6-dbg)"
    )


def list_readable(target) -> str | None:
    """None when the list can be found, else why not (checked at main, when libc is loaded)."""
    try:
        find_list_head(target)
        return None
    except Unreadable as exc:
        return str(exc)


def read_u64(memory, address: int) -> int:
    """A little-endian u64 (x86_64, aarch64, arm64) read through `memory`."""
    try:
        return struct.unpack("<Q", memory.read(address, 8))[0]
    except ReadFailed as exc:
        raise Unreadable("cannot read memory at 0x%x: %s" % (address, exc)) from exc


def read_bytes(memory, address: int, size: int) -> bytes:
    try:
        return memory.read(address, size)
    except ReadFailed as exc:
        raise Unreadable("cannot read %d bytes at 0x%x: %s" % (size, address, exc)) from exc


def field_offset(sbtype, name: str, default: int) -> int:
    if sbtype is None or not sbtype.IsValid():
        return default
    for index in range(sbtype.GetNumberOfFields()):
        member = sbtype.GetFieldAtIndex(index)
        if member.GetName() == name:
            return member.GetOffsetInBytes()
    return default


@dataclass(frozen=True)
class GlibcLayout:
    """Byte offsets of `struct exit_function_list` and `struct exit_function`."""

    next: int = 0
    idx: int = 8
    fns: int = 16
    entry: int = 32  # sizeof(struct exit_function)
    flavor: int = 0
    func: int = 8

    @property
    def block_size(self) -> int:
        return self.fns + BLOCK_ENTRIES * self.entry


def glibc_layout(target) -> GlibcLayout:
    """Offsets from libc6-dbg's types when LLDB has them, else the LP64 ABI layout."""
    list_type = target.FindFirstType("exit_function_list")
    entry_type = target.FindFirstType("exit_function")
    entry_size = (
        entry_type.GetByteSize() if entry_type.IsValid() and entry_type.GetByteSize() else 32
    )
    return GlibcLayout(
        next=field_offset(list_type, "next", 0),
        idx=field_offset(list_type, "idx", 8),
        fns=field_offset(list_type, "fns", 16),
        entry=entry_size,
        flavor=field_offset(entry_type, "flavor", 0),
        func=field_offset(entry_type, "func", 8),
    )


def pointer_guard(target, memory, thread) -> tuple[str, int]:
    """The thread's PTR_MANGLE guard (the same in every thread: copied from the main TCB)."""
    triple = target.GetTriple() or ""
    if triple.startswith("x86_64"):
        fs_base = thread.GetFrameAtIndex(0).FindRegister("fs_base")
        if not fs_base.IsValid():
            raise Unreadable(
                "LLDB does not show the fs_base register: the pointer guard is unknown"
            )
        return "x86_64", read_u64(memory, fs_base.GetValueAsUnsigned() + X86_64_GUARD_OFFSET)
    if triple.startswith("aarch64") or triple.startswith("arm64"):
        symbols = target.FindSymbols("__pointer_chk_guard_local")
        for index in range(symbols.GetSize()):
            address = (
                symbols.GetContextAtIndex(index)
                .GetSymbol()
                .GetStartAddress()
                .GetLoadAddress(target)
            )
            if address != lldb.LLDB_INVALID_ADDRESS:
                return "aarch64", read_u64(memory, address)
        raise Unreadable("__pointer_chk_guard_local is not visible: the pointer guard is unknown")
    raise Unreadable("no PTR_MANGLE rule for %s" % triple)


def demangler(arch: str, guard: int) -> Callable[[int], int]:
    """PTR_DEMANGLE for `arch`: x86_64 rotates and xors, aarch64 only xors."""
    if arch == "x86_64":
        return lambda p: demangle_x86_64(p, guard)
    return lambda p: p ^ guard


def walk_blocks(head: int, read_block) -> list[list[ExitHandler]]:
    """The chain's blocks, newest first; read_block(address) -> (entries, next block)."""
    blocks = []
    seen = set()
    address = head
    while address:
        if address in seen or len(blocks) >= MAX_BLOCKS:
            raise Unreadable("the exit handler list loops at 0x%x" % address)
        seen.add(address)
        entries, next_address = read_block(address)
        blocks.append(entries)
        address = next_address
    return blocks


def read_glibc_list(
    memory, head_variable: int, layout: GlibcLayout, demangle: Callable[[int], int]
) -> list[ExitHandler]:
    """glibc's list from the head pointer variable at `head_variable`, in registration order."""

    def read_block(address):
        data = read_bytes(memory, address, layout.block_size)
        next_address = struct.unpack_from("<Q", data, layout.next)[0]
        count = struct.unpack_from("<Q", data, layout.idx)[0]
        if count > BLOCK_ENTRIES:
            raise Unreadable(
                "block at 0x%x says it holds %d entries (at most %d)"
                % (address, count, BLOCK_ENTRIES)
            )
        entries = []
        for slot in range(count):
            base = layout.fns + slot * layout.entry
            flavor = GLIBC_FLAVORS.get(
                struct.unpack_from("<q", data, base + layout.flavor)[0], "unknown"
            )
            fn, arg, dso = struct.unpack_from("<QQQ", data, base + layout.func)
            if flavor in ("free", "us", "unknown"):
                continue  # an empty slot, or one being filled in by another thread
            entries.append(
                ExitHandler(
                    flavor=flavor,
                    via=GLIBC_VIA[flavor],
                    function=demangle(fn),
                    arg=arg if flavor in ("on", "cxa") else None,
                    dso_handle=dso if flavor == "cxa" else None,
                )
            )
        return entries, next_address

    return order_entries(walk_blocks(read_u64(memory, head_variable), read_block))


def read_darwin_list(
    memory, head_variable: int, strip: Callable[[int], int] = lambda p: p
) -> list[ExitHandler]:
    """libsystem_c's list from `__atexit` at `head_variable`; `strip` removes pointer signing."""
    fns_offset, entry_size = 16, 32
    block_size = fns_offset + BLOCK_ENTRIES * entry_size

    def read_block(address):
        data = read_bytes(memory, address, block_size)
        next_address = struct.unpack_from("<Q", data, 0)[0]
        count = struct.unpack_from("<i", data, 8)[0]
        if not 0 <= count <= BLOCK_ENTRIES:
            raise Unreadable("block at 0x%x says it holds %d entries" % (address, count))
        entries = []
        for slot in range(count):
            base = fns_offset + slot * entry_size
            flavor = DARWIN_FLAVORS.get(struct.unpack_from("<i", data, base)[0], "unknown")
            fn, arg, dso = struct.unpack_from("<QQQ", data, base + 8)
            if flavor in ("free", "unknown"):
                continue
            cxa = flavor == "cxa"
            entries.append(
                ExitHandler(
                    flavor=flavor,
                    via=DARWIN_VIA[flavor],
                    function=strip(fn),
                    arg=arg if cxa else None,
                    dso_handle=dso if cxa else None,
                )
            )
        return entries, strip(next_address)

    return order_entries(walk_blocks(strip(read_u64(memory, head_variable)), read_block))


def read_exit_handlers(target, process, thread, memory=None) -> tuple[str, list[ExitHandler]]:
    """Every registered exit handler, in registration order, with raw addresses, and the C
    library ("glibc" | "darwin"); raises Unreadable with the reason. `memory` reads the
    process's memory (ProcessMemory by default)."""
    memory = ProcessMemory(process) if memory is None else memory
    platform, head_variable = find_list_head(target)
    if platform == "darwin":
        fix = getattr(process, "FixAddress", None)
        strip = (lambda p: fix(p)) if fix is not None else (lambda p: p)
        return "darwin", read_darwin_list(memory, head_variable, strip)
    arch, guard = pointer_guard(target, memory, thread)
    return "glibc", read_glibc_list(
        memory, head_variable, glibc_layout(target), demangler(arch, guard)
    )
