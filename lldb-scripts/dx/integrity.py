"""Profile-data integrity at main, at the first profile write, and before a crash inside the
profile runtime (docs/ARCHITECTURE.md, "Verdicts").

    check_profile_integrity(target, process) -> dict      # never raises (LLDB)
    check_image(ProfileImage, MemoryReader) -> dict        # the same on any memory reader

Called at main (before any instrumented call can read a foreign record: the value profiler
reads Data->Values at the first indirect call it counts), and while the process is stopped in
writeFileWithoutReturn / __llvm_profile_write_file, before the writer has read anything. The
pure part, check_image, takes the memory reader as an argument (lldb-scripts/tests run it on
bytes). It finds the module whose profile runtime is about to write, reads
its live __llvm_prf_* sections, and reads every __llvm_profile_data record the way the writer will:
with the record layout of the raw profile version the runtime was built for, stepping by that
record size from __start to __stop of __llvm_prf_data (`for (DI = DataBegin; DI < DataEnd; DI++)`
in writeValueProfData, so a trailing partial record is read too, past the section's end).

Record layout, x86_64 (offsets from compiling the installed InstrProfData.inc of LLVM 14 and 19
with `#define INSTR_PROF_DATA(Type, LLVMType, Name, Init) Type Name;` in an alignas(8) struct):

    offset  raw version 10 (LLVM 19+), 64 bytes    raw version 8 (LLVM 14-17), 48 bytes
      0     NameRef          u64                   NameRef          u64
      8     FuncHash         u64                   FuncHash         u64
     16     CounterPtr       i64, relative         CounterPtr       i64, relative
     24     BitmapPtr        i64, relative         FunctionPointer  ptr
     32     FunctionPointer  ptr                   Values           ptr
     40     Values           ptr                   NumCounters u32 @40, NumValueSites[2] u16 @44
     48     NumCounters      u32                   -- next record's NameRef --
     52     NumValueSites[3] u16 (+2 bytes padding)
     60     NumBitmapBytes   u32

Why a v8 record inside a v10 runtime crashes the writer (seen live in the mixed-profile-versions
fixture): the clang-14 object's 48-byte record is linked after the clang-19 object's 64-byte ones.
Read with the v10 layout, its CounterPtr (offset 16) is still right, but "Values" (offset 40) is
the v8 NumCounters and NumValueSites packed together (NumCounters 4, no sites -> Values = 0x4),
and "NumCounters"/"NumValueSites" (48..57) come from whatever follows: here the bytes past the
end of __llvm_prf_data, i.e. the first __llvm_prf_vals slot, a pointer 0x0000555555560370 ->
NumCounters 0x55560370 (1,431,700,336), NumValueSites[0] 0x5555 (21,845). A non-zero value-site
count makes initializeValueProfRuntimeRecord load Nodes[0] from Values = 0x4: SIGSEGV, fault
address 0x4. Garbage of this kind is what the original report saw as "67,673,216 entries and
541,385,706 counters".

Sources (read, not guessed):
- Field lists: llvm/include/llvm/ProfileData/InstrProfData.inc, INSTR_PROF_DATA, as installed in
  /usr/include/llvm-14 (INSTR_PROF_RAW_VERSION 8; VALUE_PROF_KIND IndirectCallTarget=0,
  MemOPSize=1=IPVK_Last) and /usr/include/llvm-19 (INSTR_PROF_RAW_VERSION 10; adds BitmapPtr after
  CounterPtr, VTableTarget=2=IPVK_Last, NumBitmapBytes last). llvm/ProfileData/InstrProf.h (19):
  "Version 8: Use relative counter pointer. Version 9: Added relative bitmap bytes pointer and
  count used by MC/DC. Version 10: Added vtable, a new type of value profile data."
  RawInstrProf::ProfileData is `struct alignas(8)`.
- Raw version 9: https://reviews.llvm.org/D138846 (the MC/DC patch that bumped the version to 9)
  changes the __profd_ type to { i64, i64, i64, i64, ptr, ptr, i32, [2 x i16], i32 }.
- compiler-rt/lib/profile/InstrProfilingMerge.c: "For the in-memory destination, CounterPtr is
  the distance from the start address of the data to the start address of the counter"
  (DstData + CounterPtr; likewise BitmapPtr); a record with NumCounters == 0 is rejected.
- compiler-rt/lib/profile/InstrProfilingValue.c, initializeValueProfRuntimeRecord: Nodes =
  (ValueProfNode **)Data->Values; for each kind I with N = NumValueSites[I] != 0, for each site J
  it loads Nodes[S + J] (when Nodes is not NULL) and follows Site->Next to the end; S += N.
  ValueProfNode is {u64 Value; u64 Count; ValueProfNode *Next} (INSTR_PROF_VALUE_NODE).
- llvm/lib/Transforms/Instrumentation/InstrProfiling.cpp: Values is null unless the function has
  value sites (NS > 0) and ValueProfileStaticAlloc (default on ELF / Mach-O, which need no runtime
  registration): then it points to __profvp_<fn>, NS zeroed pointer slots in __llvm_prf_vals. At
  run time the slots point to nodes from __llvm_prf_vnds (lprofValueProfNodes is in that section
  too); with dynamic allocation allocateValueProfileCounters callocs the slots instead.
- InstrProfilingFile.c, __llvm_profile_write_file: "if (GET_VERSION(__llvm_profile_get_version())
  != INSTR_PROF_RAW_VERSION) { PROF_ERR("Runtime and instrumentation version mismatch ...");
  return -1; }" before any record is read. So the records crash the writer only when the
  variable matches the runtime (seen here: linking the clang-14 object first makes the variable
  8 under a v10 runtime; the program then exits 0 with that error and an empty profile).
- InstrProfiling.c: __llvm_profile_get_version() returns __llvm_profile_raw_version (a weak
  variable in the runtime's InstrProfilingVersionVar.o, also emitted by every IR-instrumented
  object, so the linker picks one). VARIANT_MASK_BYTE_COVERAGE (bit 60) makes counters 1 byte.
- InstrProfilingPlatformLinux.c: the runtime of version 10 has __llvm_profile_begin_vtables and
  __llvm_profile_begin_bitmap; `nm` of LLVM 14's libclang_rt.profile-x86_64.a has neither, LLVM
  19's has both. Mach-O sections are in segment __DATA (docs/ARCHITECTURE.md, "macOS").
"""

from __future__ import annotations

import functools
import itertools
import json
import operator
import os
import struct
import sys
from dataclasses import dataclass, replace

from .procmem import host_pid, read_live

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (5 ms inside LLDB)
if TYPE_CHECKING:
    from typing import Any

try:
    import lldb
except ImportError:  # the unit tests (lldb-scripts/tests) run the pure part with no LLDB
    lldb = None

RUNTIME_VERSION_VAR = "__llvm_profile_raw_version"
VERSION_MASK = 0xFFFFFFFF  # GET_VERSION: v10 reserves the upper 32 bits for variants (v8: 8)
BYTE_COVERAGE_BIT = 1 << 60  # VARIANT_MASK_BYTE_COVERAGE: 1-byte counters
RECORD_ALIGN = 8  # alignas(8)
COUNTER_SIZE = 8
# What the runtime's own symbols say about the version it was built for: (lowest, highest).
VERSION_SYMBOLS = (
    ("__llvm_profile_begin_vtables", (10, None)),  # vtable value profiling: raw version 10
    ("__llvm_profile_begin_bitmap", (9, 9)),  # MC/DC bitmap without vtables: raw version 9
    ("__llvm_profile_begin_data", (0, 8)),  # a profile runtime with neither: 8 or older
)
# INSTR_PROF_DATA fields in order: (name, kind, count); "iptr" is a signed IntPtrT.


def _load_fields():
    """The field lists of record_layouts.json, the one table debug-exit inspect reads too."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(
        os.path.dirname(here), "record_layouts.json"
    )  # lldb-scripts/, for inspect too
    with open(path, encoding="utf-8") as table:
        versions = json.load(table)["versions"]
    return {int(v): tuple(tuple(field) for field in fields) for v, fields in versions.items()}


FIELDS = _load_fields()
KIND_SIZES = {"u64": 8, "u32": 4, "u16": 2}
VALUE_KINDS = ("IndirectCallTarget", "MemOPSize", "VTableTarget")  # VALUE_PROF_KIND 0, 1, 2
COMPILERS = {8: "LLVM 14-17, Apple clang 15-16.2", 9: "LLVM 18", 10: "LLVM 19+, Apple clang 17"}
SECTIONS = {  # role -> section name on ELF and Mach-O (INSTR_PROF_*_COMMON)
    "data": "__llvm_prf_data",
    "counters": "__llvm_prf_cnts",
    "names": "__llvm_prf_names",
    "values": "__llvm_prf_vals",
    "vnodes": "__llvm_prf_vnds",
    "bitmap": "__llvm_prf_bits",
}
REQUIRED_SECTIONS = ("data", "counters")
MACHO_SEGMENTS = ("__DATA", "__DATA_CONST", "__DATA_DIRTY")
PRELOAD_ROLES = ("values", "vnodes")  # read once: every slot and node read then hits the cache
MAX_PRELOAD = 16 << 20
PROC_MEM_MIN_READ = 64 << 10  # smaller reads go through LLDB as before
MAX_VALUE_SITES = 65535  # per record, all kinds: real functions have a few
NODE_NEXT_OFFSET = 16  # ValueProfNode.Next
MAX_SITE_NODES = 256  # the runtime keeps at most INSTR_PROF_MAX_NUM_VAL_PER_SITE (255) a site
MAX_SIM_READS = 1 << 16  # pointer loads simulated per record before giving up
MAX_RECORDS = 200000  # records checked; a bigger section is checked up to here
MAX_PROBLEMS = 4  # problems listed for the first bad record
MAX_SEGMENTS = 8


class MemoryReader:
    """Reads the target's memory: the bytes, or None where they cannot be read. Any object with
    this `read` will do (LiveMemory in LLDB, a fake over bytes in lldb-scripts/tests)."""

    def read(self, address: int, size: int) -> bytes | None:
        raise NotImplementedError


@dataclass
class ProfileImage:
    """What the check needs to know about the module, besides its memory: found through LLDB by
    check_profile_integrity, or written by hand in the unit tests (lldb-scripts/tests)."""

    module: str
    sections: dict[str, tuple[int, int]]  # role -> (load address, size), loaded sections only
    version_var: int | None = None  # __llvm_profile_raw_version as read from memory
    runtime_symbol: str | None = None  # the first VERSION_SYMBOLS name the module defines
    pointer_size: int = 8
    endian: str = "little"


@dataclass
class _Context:
    reader: MemoryReader  # uncached reads
    memory: CachedMemory
    sections: dict[str, tuple[int, int]]
    layout: Layout
    pointer: int
    endian: str
    var: int | None
    counter_size: int
    refused: str | None = None
    module: str = "?"
    source: str = ""


def check_profile_integrity(target, process) -> dict[str, Any]:
    """The integrity event body: status consistent | corrupt | unknown, never an exception."""
    try:
        return _check(target, process)
    except Exception as exc:  # the probe must never break the capture
        return _unknown("internal error in the integrity check: %s: %s" % (type(exc).__name__, exc))


def check_image(image: ProfileImage, reader: MemoryReader) -> dict[str, Any]:
    """The check on a module described by `image` whose memory `reader` reads. It reads each
    section once (data, and the value slots and nodes the simulation walks); never raises."""
    try:
        ctx, why = _context(image, reader)
        if ctx is None:
            return _unknown(why, module=image.module)
        return _report(ctx, _scan(ctx))
    except Exception as exc:
        return _unknown(
            "internal error in the integrity check: %s: %s" % (type(exc).__name__, exc),
            module=image.module,
        )


def _check(target, process):
    if not (target and target.IsValid() and process and process.IsValid()):
        return _unknown("no live target and process to read the profile data from")
    module = _pick_module(target, process)
    if module is None:
        return _unknown("no loaded module has a __llvm_prf_data section (is it PGO-instrumented?)")
    return check_image(_image_of(target, process, module), LiveMemory(process))


# ---------------------------------------------------------------------------------------------
# Module, sections, version (LLDB)


def _pick_module(target, process):
    """The module of the writer's frame first (each DSO has its own runtime), then the program."""
    thread = process.GetSelectedThread()
    candidates = []
    if thread and thread.IsValid() and thread.GetNumFrames() > 0:
        candidates.append(thread.GetFrameAtIndex(0).GetModule())
    candidates += [target.GetModuleAtIndex(i) for i in range(target.GetNumModules())]
    for module in candidates:
        if module and module.IsValid() and _find_section(module, SECTIONS["data"]) is not None:
            return module
    return None


def _find_section(module, name):
    """ELF: LLDB nests sections under PT_LOAD segments; FindSection searches them. Mach-O: the
    section is a subsection of segment __DATA."""
    section = module.FindSection(name)
    if section.IsValid():
        return section
    for segment_name in MACHO_SEGMENTS:
        segment = module.FindSection(segment_name)
        if segment.IsValid():
            sub = segment.FindSubSection(name)
            if sub.IsValid():
                return sub
    return None


def _load_sections(target, module):
    """role -> (load address, size) for the sections present; unloaded ones are left out."""
    found = {}
    for role, name in SECTIONS.items():
        section = _find_section(module, name)
        if section is None:
            continue
        address = section.GetLoadAddress(target)
        if address != lldb.LLDB_INVALID_ADDRESS:
            found[role] = (address, section.GetByteSize())
    return found


def _image_of(target, process, module) -> ProfileImage:
    endian = "big" if process.GetByteOrder() == lldb.eByteOrderBig else "little"
    var = None
    symbol = module.FindSymbol(RUNTIME_VERSION_VAR)
    if symbol.IsValid():
        data = LiveMemory(process).read(symbol.GetStartAddress().GetLoadAddress(target), 8)
        var = None if data is None else int.from_bytes(data, endian)
    runtime_symbol = next(
        (name for name, _ in VERSION_SYMBOLS if module.FindSymbol(name).IsValid()), None
    )
    return ProfileImage(
        module=_module_name(module),
        sections=_load_sections(target, module),
        version_var=var,
        runtime_symbol=runtime_symbol,
        pointer_size=process.GetAddressByteSize(),
        endian=endian,
    )


# ---------------------------------------------------------------------------------------------
# Version and layout (pure)


def _runtime_version(image: ProfileImage):
    """(layout version, raw variable, sentence): the runtime's symbols bound the version it was
    built for; the variable (what the header will say) picks within that bound."""
    var = image.version_var
    var_version = None if var is None else var & VERSION_MASK
    var_text = None if var is None else "%s = %s in memory" % (RUNTIME_VERSION_VAR, _hex(var))
    bounds = dict(VERSION_SYMBOLS).get(image.runtime_symbol) if image.runtime_symbol else None
    if bounds is None:
        return var_version, var, var_text
    source = "runtime symbols (%s: raw version %s)" % (image.runtime_symbol, _range_text(*bounds))
    return _clamp(var_version, *bounds), var, source + (", " + var_text if var_text else "")


def _clamp(version, low, high):
    if version is None:
        return low if high is None else high
    return max(low, version if high is None else min(high, version))


def _range_text(low, high):
    if high is None:
        return "%d+" % low
    return "<= %d" % high if low == 0 else str(low)


def _refusal(var, version):
    """The writer's version check fails: it returns before reading any record."""
    if var is None or var & VERSION_MASK == version:
        return None
    return (
        "%s is %d but the runtime writes raw version %d: __llvm_profile_write_file stops at "
        'its version check ("Runtime and instrumentation version mismatch") before reading '
        "any record, so no crash comes from them, and no profile is written"
        % (RUNTIME_VERSION_VAR, var & VERSION_MASK, version)
    )


@dataclass(frozen=True)
class Layout:
    """One raw version's __llvm_profile_data record: its size and, per field, (offset, size of
    one element, element count, signed)."""

    version: int
    size: int
    fields: dict[str, tuple[int, int, int, bool]]


def _build_layout(version: int, pointer_size: int) -> Layout:
    """Offsets by C rules from the INSTR_PROF_DATA field list; the struct is alignas(8)."""
    fields, offset = {}, 0
    for name, kind, count in FIELDS[version]:
        size = pointer_size if kind in ("ptr", "iptr") else KIND_SIZES[kind]
        offset = _round_up(offset, size)
        fields[name] = (offset, size, count, kind == "iptr")
        offset += size * count
    return Layout(version=version, size=_round_up(offset, RECORD_ALIGN), fields=fields)


def _context(image: ProfileImage, reader: MemoryReader):
    sections = image.sections
    missing = [SECTIONS[r] for r in REQUIRED_SECTIONS if r not in sections]
    if missing:
        return None, "module %s has no loaded %s" % (image.module, ", ".join(missing))
    version, var, source = _runtime_version(image)
    if version is None:
        version, source = _infer_version(image, reader)
    if version not in FIELDS:
        return None, "the runtime writes raw profile version %s (%s); known layouts: %s" % (
            version,
            source,
            ", ".join(map(str, sorted(FIELDS))),
        )
    ctx = _make_ctx(image, reader, version, var)
    ctx.module, ctx.source, ctx.refused = image.module, source, _refusal(var, version)
    return ctx, None


def _make_ctx(image: ProfileImage, reader: MemoryReader, version: int, var: int | None) -> _Context:
    byte_counters = var is not None and var & BYTE_COVERAGE_BIT
    return _Context(
        reader=reader,
        memory=CachedMemory(reader),
        sections=image.sections,
        layout=_build_layout(version, image.pointer_size),
        pointer=image.pointer_size,
        endian=image.endian,
        var=var,
        counter_size=1 if byte_counters else COUNTER_SIZE,
    )


def _infer_version(image: ProfileImage, reader: MemoryReader):
    """No runtime symbols, no variable (stripped): the layout that makes record 0 consistent."""
    start = image.sections["data"][0]
    for version in sorted(FIELDS, reverse=True):
        ctx = _make_ctx(image, reader, version, None)
        data = ctx.memory.read(start, ctx.layout.size)
        if data is not None and not _record_problems(ctx, start, _decode(ctx, data)):
            return version, "inferred: record 0 fits the raw-version-%d layout" % version
    return None, "no runtime symbols, no %s, and no layout fits record 0" % RUNTIME_VERSION_VAR


# ---------------------------------------------------------------------------------------------
# Memory


class LiveMemory(MemoryReader):
    """The stopped process's memory through LLDB (SBProcess.ReadMemory)."""

    def __init__(self, process) -> None:
        self.process = process
        self.pid = host_pid(process)

    def read(self, address: int, size: int) -> bytes | None:
        if not _readable_range(address, size):
            return None
        # A large read (a whole section) straight from /proc/PID/mem (procmem.py): 6 MB of
        # __llvm_prf_data in ~2 ms instead of ~0.5 s through LLDB; small ones through LLDB.
        pid = self.pid if size >= PROC_MEM_MIN_READ else None
        return read_live(self.process, pid, address, size)


class CachedMemory:
    """A reader with whole sections read once (slots and value nodes): every slot and node read
    of the simulation then hits the cache, so the check is one read per section."""

    def __init__(self, reader: MemoryReader) -> None:
        self.reader = reader
        self.cache: list[tuple[int, bytes]] = []

    def preload(self, start: int, size: int) -> None:
        data = _read_raw(self.reader, start, min(size, MAX_PRELOAD)) if size > 0 else None
        if data is not None:
            self.cache.append((start, data))

    def read(self, address: int, size: int) -> bytes | None:
        for start, data in self.cache:
            if start <= address and address + size <= start + len(data):
                return data[address - start : address - start + size]
        return _read_raw(self.reader, address, size)


def _readable_range(address, size):
    return address is not None and address >= 0 and size > 0 and address + size <= 1 << 64


def _read_raw(reader: MemoryReader, address: int | None, size: int) -> bytes | None:
    if not _readable_range(address, size):
        return None
    data = reader.read(address, size)
    return None if data is None or len(data) != size else bytes(data)


def _read_pointer(ctx, address):
    data = ctx.memory.read(address, ctx.pointer)
    return None if data is None else int.from_bytes(data, ctx.endian)


# ---------------------------------------------------------------------------------------------
# Records


_STRUCT_CODES = {(8, False): "Q", (8, True): "q", (4, False): "I", (4, True): "i", (2, False): "H"}
_DECODERS: dict[tuple[int, int, str], tuple[struct.Struct, list[tuple[str, int]]]] = {}


def _decoder(ctx):
    """One struct.Struct per (layout, byte order): the records are decoded in C, not field by
    field (10,000 records: 4x faster; see bench/integrity.ts)."""
    layout = ctx.layout
    key = (layout.version, layout.size, ctx.endian)
    found = _DECODERS.get(key)
    if found is None:
        fmt, names, at = "<" if ctx.endian == "little" else ">", [], 0
        for name, (offset, size, count, signed) in sorted(
            layout.fields.items(), key=lambda f: f[1][0]
        ):
            fmt += "%dx" % (offset - at) if offset > at else ""
            fmt += _STRUCT_CODES[(size, signed)] * count
            names.append((name, count))
            at = offset + size * count
        fmt += "%dx" % (layout.size - at) if layout.size > at else ""
        found = _DECODERS[key] = (struct.Struct(fmt), names)
    return found


def _decode(ctx, data):
    decoder, names = _decoder(ctx)
    values = decoder.unpack_from(data)
    record, index = {}, 0
    for name, count in names:
        record[name] = (
            list(values[index : index + count]) if name == "NumValueSites" else values[index]
        )
        index += count
    return record


def _record_problems(ctx, address, record):
    """What makes the writer (or llvm-profdata) read garbage, value-profiling fields first: they
    are what the writer dereferences; counters and bitmap bytes are only copied."""
    problems = _check_value_sites(ctx, record)
    problems += _check_values(ctx, record)
    problems += _check_counters(ctx, address, record)
    problems += _check_bitmap(ctx, address, record)
    return problems


def _check_value_sites(ctx, record):
    total = sum(record["NumValueSites"])
    values = ctx.sections.get("values")
    if total > MAX_VALUE_SITES:
        return [
            _problem(
                "NumValueSites",
                record["NumValueSites"],
                "at most %d value sites a function" % MAX_VALUE_SITES,
            )
        ]
    if values is not None and total * ctx.pointer > values[1]:
        return [
            _problem(
                "NumValueSites",
                record["NumValueSites"],
                "at most %d value sites: all the slots __llvm_prf_vals has"
                % (values[1] // ctx.pointer),
            )
        ]
    return []


def _check_values(ctx, record):
    values, total = record["Values"], sum(record["NumValueSites"])
    if total == 0:
        return (
            []
            if values == 0
            else [
                _problem(
                    "Values", _hex(values), "0: a record without value sites has no slot array"
                )
            ]
        )
    if values == 0:
        return []  # the writer skips a NULL Nodes array
    outcome = _simulate_value_reads(ctx, record)
    if "fault_address" in outcome or "loop" in outcome:
        return [_problem("Values", _hex(values), _values_expectation(ctx), outcome)]
    if values % ctx.pointer:
        return [_problem("Values", _hex(values), "a pointer-aligned slot array")]
    return []


def _values_expectation(ctx):
    values = ctx.sections.get("values")
    if values is None:
        return "0 or a readable array of value-site slots"
    return "0 or a slot array inside __llvm_prf_vals [%s, %s)" % (
        _hex(values[0]),
        _hex(values[0] + values[1]),
    )


def _simulate_value_reads(ctx, record):
    """initializeValueProfRuntimeRecord's loads: Nodes[S + J] for every site, then each Next."""
    nodes, first, reads = record["Values"], 0, 0
    for kind, count in enumerate(record["NumValueSites"]):
        for site in range(count if nodes else 0):
            slot = nodes + ctx.pointer * (first + site)
            outcome, used = _walk_site(ctx, slot, MAX_SIM_READS - reads)
            reads += used
            if outcome is not None:
                outcome.update(kind=VALUE_KINDS[kind], site=site, reads=reads)
                return outcome
            if reads >= MAX_SIM_READS:
                return {"reads": reads, "stopped": "read limit"}
        first += count
    return {"reads": reads, "completes": True}


def _walk_site(ctx, slot, budget):
    """(None | {"fault_address"} | {"loop"}, loads): the slot, then the node list it heads."""
    node, loads = _read_pointer(ctx, slot), 1
    if node is None:
        return {"fault_address": _hex(slot), "load": "Nodes[S + J]"}, loads
    while node and loads < budget:
        if loads > MAX_SITE_NODES:
            return {"loop": _hex(slot), "load": "Site->Next"}, loads
        following = _read_pointer(ctx, node + NODE_NEXT_OFFSET)
        loads += 1
        if following is None:
            return {"fault_address": _hex(node + NODE_NEXT_OFFSET), "load": "Site->Next"}, loads
        node = following
    return None, loads


def _check_counters(ctx, address, record):
    """CounterPtr is relative to the record's own address since raw version 8."""
    start, size = ctx.sections["counters"]
    counters = address + record["CounterPtr"]
    expected = "%s..%s (inside __llvm_prf_cnts)" % (_hex(start), _hex(start + size))
    if not start <= counters < start + size or counters % ctx.counter_size:
        return [
            _problem(
                "CounterPtr",
                _signed_hex(record["CounterPtr"]),
                "record address + CounterPtr in " + expected,
                {"resolves_to": _hex(counters)},
            )
        ]
    count = record["NumCounters"]
    if count == 0 or counters + count * ctx.counter_size > start + size:
        return [
            _problem(
                "NumCounters",
                count,
                "1..%d counters from %s to fit in %s"
                % ((start + size - counters) // ctx.counter_size, _hex(counters), expected),
            )
        ]
    return []


def _check_bitmap(ctx, address, record):
    count = record.get("NumBitmapBytes", 0)
    if not count:
        return []
    bitmap = ctx.sections.get("bitmap")
    if bitmap is None:
        return [_problem("NumBitmapBytes", count, "0: the module has no __llvm_prf_bits")]
    start, size = bitmap
    resolved = address + record["BitmapPtr"]
    if not (start <= resolved and resolved + count <= start + size):
        return [
            _problem(
                "BitmapPtr",
                _signed_hex(record["BitmapPtr"]),
                "a distance into __llvm_prf_bits",
                {"resolves_to": _hex(resolved)},
            )
        ]
    return []


def _problem(field, value, expected, detail=None):
    problem = {"field": field, "value": value, "expected": expected}
    if detail:
        problem["detail"] = detail
    return problem


# ---------------------------------------------------------------------------------------------
# The scan: every record as the writer steps through them


@dataclass
class BadRecord:
    """The first record with a problem: where it is, as decoded, and its problems."""

    index: int
    address: int
    record: dict[str, Any]
    problems: list[dict[str, Any]]


@dataclass
class Scan:
    """The records as the writer steps through them: how many were read (count of total), the
    bytes (None when unreadable), the first bad record and the first load that would fault."""

    count: int
    total: int
    data: bytes | None
    tail_unreadable: bool
    first_bad: BadRecord | None = None
    fault: dict[str, Any] | None = None


def _scan(ctx: _Context) -> Scan:
    start, size = ctx.sections["data"]
    record_size = ctx.layout.size
    total = -(-size // record_size)  # DI < DataEnd: a partial record is read too
    count = min(total, MAX_RECORDS)
    for role in PRELOAD_ROLES:
        if role in ctx.sections:
            ctx.memory.preload(*ctx.sections[role])
    data = _read_raw(ctx.reader, start, count * record_size)
    tail_unreadable = data is None and count * record_size > size
    if tail_unreadable:  # the writer would fault there itself; check the rest, zero-padded
        data = _read_raw(ctx.reader, start, size)
        data = None if data is None else data + bytes(count * record_size - size)
    scan = Scan(count=count, total=total, data=data, tail_unreadable=tail_unreadable)
    if data is not None and not tail_unreadable and _all_clean(ctx, data, count):
        return scan  # the common case, found column-wise: no record has a problem
    for index in range(count if data is not None else 0):
        _scan_record(ctx, scan, index)
        if scan.first_bad and scan.fault:
            break
    return scan


def _column(layout, data, count, name, index=0):
    """One field of every record, as a strided memoryview over the section bytes (no copy, no
    per-record Python): NumValueSites[index] for the arrays. None when the layout does not allow it."""
    offset, size, _, signed = layout.fields[name]
    if offset % size or layout.size % size:
        return None
    code = {8: "q", 4: "i", 2: "h"}[size]
    words = memoryview(data)[: count * layout.size].cast(code if signed else code.upper())
    return words[offset // size + index :: layout.size // size]


def _all_clean(ctx, data, count):
    """True when no record has a problem _record_problems would find, with every check done on
    whole columns (strided memoryviews, map, min/max: C loops) instead of record by record:
    100,000 records in tens of milliseconds. Only the records with value sites and a slot array
    are walked one by one (their value lists). False is no verdict: the per-record scan then
    finds and explains the problems."""
    layout, size = ctx.layout, ctx.layout.size
    if count == 0 or len(data) < count * size or ctx.endian != sys.byteorder:
        return False
    fields = layout.fields
    columns = {
        name: _column(layout, data, count, name) for name in ("CounterPtr", "NumCounters", "Values")
    }
    sites = [
        _column(layout, data, count, "NumValueSites", i) for i in range(fields["NumValueSites"][2])
    ]
    bitmap = _column(layout, data, count, "NumBitmapBytes") if "NumBitmapBytes" in fields else ()
    if any(column is None for column in list(columns.values()) + sites) or bitmap is None:
        return False
    start = ctx.sections["data"][0]
    counters_start, counters_size = ctx.sections["counters"]
    counters_end, counter_size = counters_start + counters_size, ctx.counter_size
    counters = list(
        map(operator.add, range(start, start + count * size, size), columns["CounterPtr"])
    )
    # (an upper bound for the counters themselves follows from their ends: NumCounters >= 1)
    if min(counters) < counters_start:
        return False
    if counter_size > 1 and functools.reduce(operator.or_, counters) % counter_size:
        return False
    num_counters = columns["NumCounters"]
    if 0 in num_counters:
        return False
    ends = map(
        operator.add, counters, map(operator.mul, num_counters, itertools.repeat(counter_size))
    )
    if max(ends) > counters_end:
        return False
    if any(bitmap):
        return False  # MC/DC bitmaps: checked record by record
    values = columns["Values"]
    if not any(map(any, sites)):  # no record has value sites (C code without indirect calls)
        return not any(values)
    totals = list(map(sum, zip(*sites))) if len(sites) > 1 else list(sites[0])
    values_section = ctx.sections.get("values")
    most = max(totals)
    if most > MAX_VALUE_SITES or (
        values_section is not None and most * ctx.pointer > values_section[1]
    ):
        return False
    if any(itertools.compress(values, map(operator.not_, totals))):
        return False  # a slot array on a record without value sites
    for index in itertools.compress(
        range(count), map(operator.and_, map(bool, totals), map(bool, values))
    ):
        address = start + index * size
        if _record_problems(ctx, address, _decode(ctx, data[index * size : (index + 1) * size])):
            return False
    return True


def _scan_record(ctx, scan, index):
    record_size = ctx.layout.size
    address = ctx.sections["data"][0] + index * record_size
    record = _decode(ctx, scan.data[index * record_size : (index + 1) * record_size])
    problems = _record_problems(ctx, address, record)
    if problems and scan.first_bad is None:
        scan.first_bad = BadRecord(index, address, record, problems)
    fault = next(
        (
            p["detail"]
            for p in problems
            if p["field"] == "Values" and "fault_address" in p.get("detail", {})
        ),
        None,
    )
    if fault and scan.fault is None:
        scan.fault = {
            "index": index,
            "address": _hex(address),
            "fault_address": fault["fault_address"],
            "load": fault["load"],
        }


def _segments(ctx):
    """Greedy walk of the data section trying the runtime's layout, then the others: which runs
    of records each layout explains (a foreign-version object shows up as its own run)."""
    start, size = ctx.sections["data"]
    data = _read_raw(ctx.reader, start, size) or b""
    runs, offset, steps = [], 0, 0
    while offset < size and len(runs) < MAX_SEGMENTS and steps < MAX_RECORDS:
        steps += 1
        versions, record_size = _fitting_versions(ctx, data, start, offset)
        if not versions:
            record_size = size - offset
        if runs and runs[-1]["raw_versions"] == versions:
            runs[-1]["records"] += 1
        else:
            runs.append(
                {
                    "raw_versions": versions,
                    "offset": offset,
                    "records": 1,
                    "record_size": record_size,
                }
            )
        offset += record_size
    return runs


def _fitting_versions(ctx, data, start, offset):
    """([the runtime's version] if its layout fits here, else the other layouts that fit (9 and
    10 often both do: they differ only past NumValueSites[1]), their record size)."""
    own = ctx.layout.version
    for group in ([own], sorted((v for v in FIELDS if v != own), reverse=True)):
        layouts = [_build_layout(v, ctx.pointer) for v in group]
        fits = [lay for lay in layouts if _fits(ctx, lay, data, start, offset)]
        if fits:  # of layouts with different sizes, the newest and those of its size
            size = fits[0].size
            return [lay.version for lay in fits if lay.size == size], size
    return [], 0


def _fits(ctx, layout, data, start, offset):
    if offset + layout.size > len(data):
        return False
    view = replace(ctx, layout=layout)
    record = _decode(view, data[offset : offset + layout.size])
    return not _record_problems(view, start + offset, record)


# ---------------------------------------------------------------------------------------------
# Report


def _report(ctx, scan):
    start, size = ctx.sections["data"]
    record_size = ctx.layout.size
    result = _base(ctx)
    if scan.data is None:
        result.update(status="unknown", reason="could not read __llvm_prf_data at %s" % _hex(start))
        return result
    fractional = size % record_size != 0
    result["records"] = size // record_size if not fractional else round(size / record_size, 3)
    if scan.first_bad is None and not fractional:
        result.update(status="consistent", reason=_consistent_reason(ctx, scan))
        return result
    fault = None if ctx.refused else scan.fault
    result.update(status="corrupt", first_bad=_first_bad(ctx, scan), writer_fault=fault)
    if scan.first_bad is not None:
        result["writer_would_see"] = _writer_view(ctx, scan.first_bad)
    result["layout_runs"] = _segments(ctx)
    result["reason"] = _corrupt_reason(ctx, result)
    if scan.tail_unreadable:
        result["reason"] += (
            "; the bytes after __llvm_prf_data that the writer reads as the last "
            "record are unreadable: it would fault there"
        )
    return result


def _base(ctx):
    return {
        "status": "unknown",
        "reason": "",
        "runtime_version": ctx.layout.version,
        "version_source": ctx.source,
        "record_size": ctx.layout.size,
        "module": ctx.module,
        "sections": _sections_out(ctx.sections),
        "records": None,
        "first_bad": None,
        "writer_would_see": None,
    }


def _sections_out(sections):
    out = {}
    for role in SECTIONS:
        found = sections.get(role)
        out[role] = None if found is None else {"address": _hex(found[0]), "size": found[1]}
    return out


def _first_bad(ctx, scan):
    if scan.first_bad is None:  # only the size is wrong
        size = ctx.sections["data"][1]
        return {
            "index": None,
            "address": _hex(ctx.sections["data"][0]),
            "field": "size",
            "value": size,
            "expected": "a multiple of %d bytes" % ctx.layout.size,
        }
    index, address, problems = scan.first_bad.index, scan.first_bad.address, scan.first_bad.problems
    bad = {"index": index, "address": _hex(address)}
    bad.update(problems[0])
    bad["problems"] = [p["field"] for p in problems[:MAX_PROBLEMS]]
    return bad


def _writer_view(ctx, first_bad):
    """The fields the writer will use for that record, as it will read them."""
    index, address, record = first_bad.index, first_bad.address, first_bad.record
    data_end = sum(ctx.sections["data"])
    view = {
        "index": index,
        "address": _hex(address),
        "CounterPtr": _signed_hex(record["CounterPtr"]),
        "counters_at": _hex(address + record["CounterPtr"]),
        "NumCounters": record["NumCounters"],
        "NumValueSites": dict(zip(VALUE_KINDS, record["NumValueSites"])),
        "value_sites_total": sum(record["NumValueSites"]),
        "Values": _hex(record["Values"]),
    }
    if "NumBitmapBytes" in record:
        view["NumBitmapBytes"] = record["NumBitmapBytes"]
    if address + ctx.layout.size > data_end:
        view["bytes_past_data_end"] = address + ctx.layout.size - data_end
    view["value_reads"] = (
        _simulate_value_reads(ctx, record) if record["Values"] else {"reads": 0, "completes": True}
    )
    if ctx.refused:
        view["version_check"] = "fails: the writer returns before reading this record"
    return view


def _consistent_reason(ctx, scan):
    refused = "; but " + ctx.refused if ctx.refused else ""
    if scan.count < scan.total:
        refused += "; only the first %d of %d records were checked" % (scan.count, scan.total)
    return (
        "checked %d __llvm_profile_data records in %s against the raw-version-%d layout "
        "(%d bytes a record; %s): section size is a whole number of records, every counter "
        "pointer lands inside __llvm_prf_cnts with its counters, value-site counts and Values "
        "slot arrays agree and every value-site list is readable%s"
        % (
            scan.count,
            ctx.module,
            ctx.layout.version,
            ctx.layout.size,
            ctx.source,
            refused,
        )
    )


def _corrupt_reason(ctx, result):
    layout, size = ctx.layout, ctx.sections["data"][1]
    text = "read with the runtime's raw-version-%d layout (%d bytes a record; %s), " % (
        layout.version,
        layout.size,
        ctx.source,
    )
    text += "__llvm_prf_data in %s is %d bytes = %s records" % (ctx.module, size, result["records"])
    bad = result["first_bad"]
    if bad["field"] != "size":
        text += "; record %d at %s has %s = %s, expected %s" % (
            bad["index"],
            bad["address"],
            bad["field"],
            bad["value"],
            bad["expected"],
        )
    text += _foreign_sentence(ctx, result.get("layout_runs") or [])
    return text + "; " + _outcome_sentence(ctx, result.get("writer_fault"))


def _outcome_sentence(ctx, fault):
    if ctx.refused:
        return ctx.refused
    if fault:
        return (
            "initializeValueProfRuntimeRecord would load %s from %s (unreadable) for record "
            "%d: SIGSEGV expected at fault address %s"
            % (fault["load"], fault["fault_address"], fault["index"], fault["fault_address"])
        )
    return (
        "no load of the writer faults on these records, but the profile it writes is "
        "misaligned garbage that llvm-profdata will reject or misread"
    )


def _foreign_sentence(ctx, runs):
    own = [ctx.layout.version]
    foreign = [r for r in runs if r["raw_versions"] != own]
    if not foreign:
        return ""
    parts = []
    for run in foreign:
        versions = run["raw_versions"]
        if not versions:
            parts.append(
                "%d bytes at offset %d fit no known layout" % (run["record_size"], run["offset"])
            )
            continue
        parts.append(
            "%d record(s) at offset %d parse as raw version %s (%d bytes a record; %s)"
            % (
                run["records"],
                run["offset"],
                " or ".join(map(str, versions)),
                run["record_size"],
                "; ".join(COMPILERS[v] for v in versions),
            )
        )
    return (
        "; " + "; ".join(parts) + ": objects instrumented by another LLVM version are linked "
        "into this runtime's module"
    )


# ---------------------------------------------------------------------------------------------
# Small helpers


def _unknown(reason, module=None):
    return {
        "status": "unknown",
        "reason": reason,
        "runtime_version": None,
        "record_size": None,
        "module": module,
        "sections": None,
        "records": None,
        "first_bad": None,
        "writer_would_see": None,
    }


def _module_name(module):
    return module.GetFileSpec().GetFilename() or str(module.GetFileSpec())


def _round_up(value, alignment):
    return -(-value // alignment) * alignment


def _hex(value):
    return None if value is None else "0x%x" % value


def _signed_hex(value):
    return "-0x%x" % -value if value < 0 else "0x%x" % value
