"""dx.integrity.check_image on bytes: the module's sections written by hand in the record
layouts of LLVM's InstrProfData.inc (raw version 8: 48 bytes, 10: 64 bytes), read through a fake
memory reader. No LLDB: what is checked is the pure part that the capture runs in LLDB."""

from __future__ import annotations

import struct

from dx import integrity as pi

DATA, COUNTERS, VALUES, VNODES = 0x1000000, 0x2000000, 0x3000000, 0x4000000
COUNTERS_SIZE = 0x200
VALUES_SIZE = 0x40
V10_VTABLES = "__llvm_profile_begin_vtables"  # the v10 runtime's own symbol


class FakeMemory:
    """Regions of bytes at addresses; anything else is unreadable. Counts the reads."""

    def __init__(self, regions: dict[int, bytes]) -> None:
        self.regions = regions
        self.reads: list[tuple] = []

    def read(self, address: int, size: int) -> bytes | None:
        self.reads.append((address, size))
        for start, data in self.regions.items():
            if start <= address and address + size <= start + len(data):
                return data[address - start : address - start + size]
        return None


def v10(address, counter, counters=2, values=0, sites=(0, 0, 0), name=0x1111):
    """One raw-version-10 record at `address` whose counters start at `counter`."""
    return struct.pack(
        "<QQqqQQIHHHxxI", name, 0x2222, counter - address, 0, 0x401000, values, counters, *sites, 0
    )


def v8(address, counter, counters=4, values=0, sites=(0, 0), name=0x3333):
    return struct.pack(
        "<QQqQQIHH", name, 0x4444, counter - address, 0x401100, values, counters, *sites
    )


def image(data_size, values=True, var=10, symbol=V10_VTABLES):
    sections = {"data": (DATA, data_size), "counters": (COUNTERS, COUNTERS_SIZE)}
    if values:
        sections["values"] = (VALUES, VALUES_SIZE)
    return pi.ProfileImage(
        module="fixture", sections=sections, version_var=var, runtime_symbol=symbol
    )


def memory(data: bytes, after_data: bytes = b"", values: bytes = bytes(VALUES_SIZE)):
    return FakeMemory({DATA: data + after_data, COUNTERS: bytes(COUNTERS_SIZE), VALUES: values})


def v10_records(count):
    """`count` consistent v10 records, two counters each, laid out from DATA."""
    return b"".join(v10(DATA + 64 * i, COUNTERS + 16 * i) for i in range(count))


def test_consistent_v10_records():
    data = v10_records(3)
    result = pi.check_image(image(len(data)), memory(data))
    assert result["status"] == "consistent", result["reason"]
    assert result["runtime_version"] == 10 and result["record_size"] == 64
    assert result["records"] == 3


def test_v8_record_read_under_a_v10_runtime_faults_where_the_writer_does():
    """The mixed-profile-versions fixture: one 48-byte v8 record after v10 ones; the writer reads
    its NumCounters (4) as Values and the first __llvm_prf_vals slot as value-site counts."""
    own = v10_records(2)
    old = v8(DATA + len(own), COUNTERS + 64, counters=4)
    data = own + old
    slot_pointer = struct.pack("<Q", 0x0000555555560370)  # what follows the section, read as counts
    mem = memory(data, after_data=slot_pointer + bytes(8))
    result = pi.check_image(image(len(data)), mem)
    assert result["status"] == "corrupt"
    assert result["records"] == 2.75
    bad = result["first_bad"]
    assert bad["index"] == 2 and bad["field"] == "NumValueSites"
    assert result["writer_would_see"]["Values"] == "0x4"
    assert result["writer_fault"]["fault_address"] == "0x4"
    runs = result["layout_runs"]
    assert runs[0] == {"raw_versions": [10], "offset": 0, "records": 2, "record_size": 64}
    assert runs[1]["raw_versions"] == [8] and runs[1]["offset"] == 128
    assert "raw version 8" in result["reason"] and "LLVM 14-17" in result["reason"]


def test_a_whole_number_of_foreign_records_is_still_corrupt():
    """Four v8 records (192 bytes) are exactly three v10 ones: the size alone says nothing, the
    fields do."""
    own = v10_records(2)
    olds = b"".join(
        v8(DATA + 128 + 48 * i, COUNTERS + 64 + 32 * i, name=0x5555 + i) for i in range(4)
    )
    data = own + olds
    assert len(data) % 64 == 0
    result = pi.check_image(image(len(data)), memory(data))
    assert result["status"] == "corrupt"
    assert result["records"] == 5
    assert result["first_bad"]["index"] == 2
    foreign = [run for run in result["layout_runs"] if run["raw_versions"] != [10]]
    assert foreign == [{"raw_versions": [8], "offset": 128, "records": 4, "record_size": 48}]


def test_a_truncated_data_section_is_corrupt_by_its_size():
    data = v10_records(2)
    truncated = data + bytes(20)  # a partial record: 20 zero bytes, then zeros past the end
    result = pi.check_image(image(len(truncated)), memory(truncated, after_data=bytes(64)))
    assert result["status"] == "corrupt"
    assert result["records"] == round(148 / 64, 3)
    assert result["first_bad"]["field"] in ("size", "CounterPtr")


def test_the_tail_past_a_truncated_section_unreadable_is_said():
    data = v10_records(1) + bytes(16)
    result = pi.check_image(image(len(data)), memory(data))  # nothing readable past the section
    assert result["status"] == "corrupt"
    assert "unreadable" in result["reason"]


def test_counters_past_the_counters_section_end():
    record = v10(DATA, COUNTERS + COUNTERS_SIZE - 8, counters=4)  # 4 counters, room for 1
    result = pi.check_image(image(len(record)), memory(record))
    assert result["status"] == "corrupt"
    assert result["first_bad"]["field"] == "NumCounters"


def test_an_unreadable_data_section_is_unknown_not_corrupt():
    result = pi.check_image(image(64), FakeMemory({COUNTERS: bytes(COUNTERS_SIZE)}))
    assert result["status"] == "unknown"
    assert "could not read __llvm_prf_data" in result["reason"]


def test_a_garbage_values_pointer_faults_at_that_address():
    record = v10(DATA, COUNTERS, values=0xDEAD0000, sites=(1, 0, 0))
    result = pi.check_image(image(len(record)), memory(record))
    assert result["status"] == "corrupt"
    assert result["first_bad"]["field"] == "Values"
    assert result["writer_fault"] == {
        "index": 0,
        "address": hex(DATA),
        "fault_address": "0xdead0000",
        "load": "Nodes[S + J]",
    }


def test_a_values_pointer_into_the_slots_is_fine():
    record = v10(DATA, COUNTERS, values=VALUES, sites=(2, 0, 0))
    result = pi.check_image(image(len(record)), memory(record))
    assert result["status"] == "consistent", result["reason"]


def test_a_broken_value_node_list_faults_at_the_node():
    slots = struct.pack("<Q", VNODES) + bytes(VALUES_SIZE - 8)  # slot 0 -> a node nobody mapped
    record = v10(DATA, COUNTERS, values=VALUES, sites=(1, 0, 0))
    mem = memory(record, values=slots)
    result = pi.check_image(image(len(record)), mem)
    assert result["status"] == "corrupt"
    assert result["writer_fault"]["fault_address"] == hex(VNODES + 16)
    assert result["writer_fault"]["load"] == "Site->Next"


def test_the_old_version_variable_makes_the_writer_refuse():
    """Old object linked first: __llvm_profile_raw_version is 8 under a v10 runtime."""
    own = v10_records(1)
    data = own + v8(DATA + 64, COUNTERS + 16)
    result = pi.check_image(image(len(data), var=8), memory(data, after_data=bytes(16)))
    assert result["status"] == "corrupt"
    assert result["runtime_version"] == 10
    assert "Runtime and instrumentation version mismatch" in result["reason"]
    assert result["writer_fault"] is None


def test_one_read_per_section_however_many_records():
    """The cost stays bounded: one read of the data section (and one of each preloaded section),
    no read per record, on 10,000 consistent records with value sites."""
    count = 10000
    data = b"".join(
        v10(DATA + 64 * i, COUNTERS, counters=1, values=VALUES, sites=(1, 0, 0))
        for i in range(count)
    )
    mem = memory(data)
    result = pi.check_image(image(len(data)), mem)
    assert result["status"] == "consistent", result["reason"]
    assert result["records"] == count
    assert len(mem.reads) <= 3, mem.reads


def test_missing_counters_section_is_unknown():
    img = pi.ProfileImage(module="m", sections={"data": (DATA, 64)})
    result = pi.check_image(img, FakeMemory({}))
    assert result["status"] == "unknown"
    assert "__llvm_prf_cnts" in result["reason"]


def test_a_stripped_runtime_infers_the_layout_from_record_zero():
    data = v10_records(2)
    result = pi.check_image(image(len(data), var=None, symbol=None), memory(data))
    assert result["status"] == "consistent", result["reason"]
    assert "inferred" in result["version_source"]


def test_the_record_layouts_by_c_rules():
    """InstrProfData.inc's records: 48 bytes in raw version 8, 64 in 9 and 10; Values at 40."""
    layouts = {version: pi._build_layout(version, 8) for version in (8, 9, 10)}
    assert {v: lay.size for v, lay in layouts.items()} == {8: 48, 9: 64, 10: 64}
    assert layouts[8].fields["Values"][0] == 32 and layouts[10].fields["Values"][0] == 40
    assert (
        layouts[8].fields["NumValueSites"][2] == 2 and layouts[10].fields["NumValueSites"][2] == 3
    )
    assert layouts[10].fields["CounterPtr"][3] is True  # a signed, relative pointer
