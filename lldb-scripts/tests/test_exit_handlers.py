"""dx.exit_handlers on bytes: glibc's and libsystem_c's exit handler blocks written by hand and
read through a memory reader passed in, as --census (list) reads them at exit()."""

from __future__ import annotations

import struct

import pytest

from dx import exit_handlers as eh

HEAD, OLD_BLOCK, NEW_BLOCK = 0x7000, 0x10000, 0x20000
GUARD = 0x5A5A_1234_DEAD_BEEF
MASK = (1 << 64) - 1


class Memory:
    """Regions of bytes; a read anywhere else fails as SBProcess.ReadMemory would."""

    def __init__(self, regions):
        self.regions = regions
        self.reads = 0

    def read(self, address, size):
        self.reads += 1
        for start, data in self.regions.items():
            if start <= address and address + size <= start + len(data):
                return data[address - start : address - start + size]
        raise eh.ReadFailed("memory read failed for 0x%x" % address)


def mangle_x86_64(pointer):
    """glibc's PTR_MANGLE on x86_64: xor with the guard, then rotate left 17."""
    value = pointer ^ GUARD
    return ((value << 17) | (value >> 47)) & MASK


def glibc_block(next_block, entries):
    """entries: (flavor number, fn, arg, dso), in the LP64 layout."""
    layout = eh.GlibcLayout()
    data = bytearray(layout.block_size)
    struct.pack_into("<QQ", data, 0, next_block, len(entries))
    for slot, (flavor, fn, arg, dso) in enumerate(entries):
        base = layout.fns + slot * layout.entry
        struct.pack_into("<qQQQ", data, base, flavor, fn, arg, dso)
    return bytes(data)


def glibc_memory(old_entries, new_entries):
    return Memory(
        {
            HEAD: struct.pack("<Q", NEW_BLOCK),
            NEW_BLOCK: glibc_block(OLD_BLOCK, new_entries),
            OLD_BLOCK: glibc_block(0, old_entries),
        }
    )


def test_demangle_undoes_ptr_mangle():
    for pointer in (0x401136, 0x7FFF_F7DD_0000, 0):
        assert eh.demangle_x86_64(mangle_x86_64(pointer), GUARD) == pointer
    assert eh.demangler("aarch64", GUARD)(0x401136 ^ GUARD) == 0x401136


def test_glibc_blocks_are_read_in_registration_order_oldest_block_first():
    memory = glibc_memory(
        old_entries=[
            (4, mangle_x86_64(0x401000), 0x11, 0x4040),
            (3, mangle_x86_64(0x402000), 0, 0),
        ],
        new_entries=[(2, mangle_x86_64(0x403000), 0x22, 0xFFFF)],
    )
    found = eh.read_glibc_list(memory, HEAD, eh.GlibcLayout(), eh.demangler("x86_64", GUARD))
    assert found == [
        eh.ExitHandler("cxa", "__cxa_atexit", 0x401000, arg=0x11, dso_handle=0x4040),
        eh.ExitHandler("at", "atexit", 0x402000),
        eh.ExitHandler("on", "on_exit", 0x403000, arg=0x22),
    ]
    assert memory.reads == 3  # the head, then one read per block


def test_empty_and_half_written_glibc_slots_are_skipped():
    memory = glibc_memory(
        old_entries=[(0, 0, 0, 0), (1, 0, 0, 0), (9, 0, 0, 0), (3, mangle_x86_64(0x402000), 0, 0)],
        new_entries=[],
    )
    found = eh.read_glibc_list(memory, HEAD, eh.GlibcLayout(), eh.demangler("x86_64", GUARD))
    assert [entry.function for entry in found] == [0x402000]


def test_libc6_dbg_offsets_are_used_when_they_differ():
    layout = eh.GlibcLayout(next=8, idx=0, fns=24, entry=40, flavor=8, func=16)
    data = bytearray(layout.block_size)
    struct.pack_into("<QQ", data, 0, 1, 0)  # idx 1 at 0, next 0 at 8
    struct.pack_into("<qQ", data, layout.fns + layout.flavor, 3, 0x4444 ^ GUARD)
    memory = Memory({HEAD: struct.pack("<Q", OLD_BLOCK), OLD_BLOCK: bytes(data)})
    found = eh.read_glibc_list(memory, HEAD, layout, eh.demangler("aarch64", GUARD))
    assert found == [eh.ExitHandler("at", "atexit", 0x4444)]


def test_a_block_that_claims_too_many_entries_is_unreadable():
    data = bytearray(glibc_block(0, []))
    struct.pack_into("<Q", data, 8, 33)
    memory = Memory({HEAD: struct.pack("<Q", OLD_BLOCK), OLD_BLOCK: bytes(data)})
    with pytest.raises(eh.Unreadable, match="says it holds 33 entries"):
        eh.read_glibc_list(memory, HEAD, eh.GlibcLayout(), eh.demangler("x86_64", GUARD))


def test_a_chain_that_loops_is_unreadable_not_endless():
    memory = Memory(
        {
            HEAD: struct.pack("<Q", OLD_BLOCK),
            OLD_BLOCK: glibc_block(NEW_BLOCK, []),
            NEW_BLOCK: glibc_block(OLD_BLOCK, []),
        }
    )
    with pytest.raises(eh.Unreadable, match="loops at 0x10000"):
        eh.read_glibc_list(memory, HEAD, eh.GlibcLayout(), eh.demangler("x86_64", GUARD))


def test_unreadable_memory_says_where_and_why():
    with pytest.raises(eh.Unreadable, match=r"cannot read memory at 0x7000: memory read failed"):
        eh.read_glibc_list(Memory({}), HEAD, eh.GlibcLayout(), eh.demangler("x86_64", GUARD))
    memory = Memory({HEAD: struct.pack("<Q", OLD_BLOCK)})
    with pytest.raises(eh.Unreadable, match=r"cannot read 1040 bytes at 0x10000"):
        eh.read_glibc_list(memory, HEAD, eh.GlibcLayout(), eh.demangler("x86_64", GUARD))


def darwin_block(next_block, entries):
    """entries: (fn_type, fn, arg, dso); struct atexit {next; int ind; atexit_fn fns[32]}."""
    data = bytearray(16 + 32 * 32)
    struct.pack_into("<Qi", data, 0, next_block, len(entries))
    for slot, (kind, fn, arg, dso) in enumerate(entries):
        struct.pack_into("<i4xQQQ", data, 16 + slot * 32, kind, fn, arg, dso)
    return bytes(data)


def test_darwin_blocks_with_pointer_signing_stripped():
    memory = Memory(
        {
            HEAD: struct.pack("<Q", NEW_BLOCK | (0xAB << 56)),  # a signed pointer
            NEW_BLOCK: darwin_block(OLD_BLOCK, [(3, 0x3000, 0, 0)]),
            OLD_BLOCK: darwin_block(
                0, [(2, 0x1000, 0x11, 0x4040), (0, 0, 0, 0), (1, 0x2000, 9, 9)]
            ),
        }
    )
    found = eh.read_darwin_list(memory, HEAD, strip=lambda p: p & ((1 << 56) - 1))
    assert found == [
        eh.ExitHandler("cxa", "__cxa_atexit", 0x1000, arg=0x11, dso_handle=0x4040),
        eh.ExitHandler("std", "atexit", 0x2000),
        eh.ExitHandler("block", "atexit_b", 0x3000),
    ]


def test_order_entries_is_oldest_block_first():
    assert eh.order_entries([["c"], ["a", "b"]]) == ["a", "b", "c"]
