"""The C library's own list of registered exit handlers, read once at the first exit() call.

`--census` (mode "list") reads this list instead of stopping at every atexit/__cxa_atexit call:
one stop whatever the number of registrations. Pure readers of memory; debug_exit.py emits.

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

import struct

import lldb

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


def rotate_right(value, bits):
    return ((value >> bits) | (value << (64 - bits))) & MASK64


def demangle_x86_64(stored, guard):
    """Inverse of glibc's x86_64 PTR_MANGLE (xor with the guard, then rotate left 17)."""
    return rotate_right(stored, 17) ^ guard


def order_entries(blocks):
    """blocks: newest first, each a list of entries in slot order -> registration order."""
    ordered = []
    for block in reversed(blocks):
        ordered.extend(block)
    return ordered


def find_list_head(target):
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


def list_readable(target):
    """None when the list can be found, else why not (checked at main, when libc is loaded)."""
    try:
        find_list_head(target)
        return None
    except Unreadable as exc:
        return str(exc)


def read_u64(process, address):
    error = lldb.SBError()
    value = process.ReadUnsignedFromMemory(address, 8, error)
    if not error.Success():
        raise Unreadable("cannot read memory at 0x%x: %s" % (address, error.GetCString()))
    return value


def read_bytes(process, address, size):
    error = lldb.SBError()
    data = process.ReadMemory(address, size, error)
    if not error.Success() or data is None or len(data) != size:
        raise Unreadable("cannot read %d bytes at 0x%x: %s" % (size, address, error.GetCString()))
    return data


def field_offset(sbtype, name, default):
    if sbtype is None or not sbtype.IsValid():
        return default
    for index in range(sbtype.GetNumberOfFields()):
        member = sbtype.GetFieldAtIndex(index)
        if member.GetName() == name:
            return member.GetOffsetInBytes()
    return default


def glibc_layout(target):
    """Offsets from libc6-dbg's types when LLDB has them, else the LP64 ABI layout."""
    list_type = target.FindFirstType("exit_function_list")
    entry_type = target.FindFirstType("exit_function")
    entry_size = (
        entry_type.GetByteSize() if entry_type.IsValid() and entry_type.GetByteSize() else 32
    )
    return {
        "next": field_offset(list_type, "next", 0),
        "idx": field_offset(list_type, "idx", 8),
        "fns": field_offset(list_type, "fns", 16),
        "entry": entry_size,
        "flavor": field_offset(entry_type, "flavor", 0),
        "func": field_offset(entry_type, "func", 8),
    }


def pointer_guard(target, process, thread):
    """The thread's PTR_MANGLE guard (the same in every thread: copied from the main TCB)."""
    triple = target.GetTriple() or ""
    if triple.startswith("x86_64"):
        fs_base = thread.GetFrameAtIndex(0).FindRegister("fs_base")
        if not fs_base.IsValid():
            raise Unreadable(
                "LLDB does not show the fs_base register: the pointer guard is unknown"
            )
        return "x86_64", read_u64(process, fs_base.GetValueAsUnsigned() + X86_64_GUARD_OFFSET)
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
                return "aarch64", read_u64(process, address)
        raise Unreadable("__pointer_chk_guard_local is not visible: the pointer guard is unknown")
    raise Unreadable("no PTR_MANGLE rule for %s" % triple)


def walk_blocks(process, head, next_offset, read_block):
    """The chain's blocks, newest first; read_block(address) -> the block's entries."""
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


def read_glibc(target, process, thread, head_variable):
    layout = glibc_layout(target)
    arch, guard = pointer_guard(target, process, thread)
    demangle = (lambda p: demangle_x86_64(p, guard)) if arch == "x86_64" else (lambda p: p ^ guard)
    block_size = layout["fns"] + BLOCK_ENTRIES * layout["entry"]

    def read_block(address):
        data = read_bytes(process, address, block_size)
        next_address = struct.unpack_from("<Q", data, layout["next"])[0]
        count = struct.unpack_from("<Q", data, layout["idx"])[0]
        if count > BLOCK_ENTRIES:
            raise Unreadable(
                "block at 0x%x says it holds %d entries (at most %d)"
                % (address, count, BLOCK_ENTRIES)
            )
        entries = []
        for slot in range(count):
            base = layout["fns"] + slot * layout["entry"]
            flavor = GLIBC_FLAVORS.get(
                struct.unpack_from("<q", data, base + layout["flavor"])[0], "unknown"
            )
            fn, arg, dso = struct.unpack_from("<QQQ", data, base + layout["func"])
            if flavor in ("free", "us", "unknown"):
                continue  # an empty slot, or one being filled in by another thread
            entry = {"flavor": flavor, "via": GLIBC_VIA[flavor], "function": demangle(fn)}
            if flavor in ("on", "cxa"):
                entry["arg"] = arg
            if flavor == "cxa":
                entry["dso_handle"] = dso
            entries.append(entry)
        return entries, next_address

    return order_entries(
        walk_blocks(process, read_u64(process, head_variable), layout["next"], read_block)
    )


def read_darwin(process, head_variable):
    fix = getattr(process, "FixAddress", None)
    strip = (lambda p: fix(p)) if fix is not None else (lambda p: p)
    fns_offset, entry_size = 16, 32
    block_size = fns_offset + BLOCK_ENTRIES * entry_size

    def read_block(address):
        data = read_bytes(process, address, block_size)
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
            entry = {"flavor": flavor, "via": DARWIN_VIA[flavor], "function": strip(fn)}
            if flavor == "cxa":
                entry["arg"] = arg
                entry["dso_handle"] = dso
            entries.append(entry)
        return entries, strip(next_address)

    return order_entries(
        walk_blocks(process, strip(read_u64(process, head_variable)), 0, read_block)
    )


def read_exit_handlers(target, process, thread):
    """Every registered exit handler, in registration order: [{flavor, via, function, arg?,
    dso_handle?}] with raw addresses; raises Unreadable with the reason."""
    platform, head_variable = find_list_head(target)
    if platform == "darwin":
        return "darwin", read_darwin(process, head_variable)
    return "glibc", read_glibc(target, process, thread, head_variable)
