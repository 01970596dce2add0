"""Program state as event fields: frames, threads, code addresses and signals of the SB objects
passed in. No LLDB import: only methods of the objects given."""

from __future__ import annotations

from .signals import FAULT_SIGNALS, fault_address_in

# compiler-rt's profile runtime, where a crash gets the profile-data check before its signal event
PROFILE_RUNTIME_PREFIXES = ("__llvm_profile", "lprof")
PROFILE_RUNTIME_FUNCTIONS = frozenset(
    (
        "instrumentTargetValueImpl",
        "allocateValueProfileCounters",
        "allocateOneNode",
        "writeFileWithoutReturn",
        "writeValueProfData",
        "writeOneValueProfData",
        "initializeValueProfRuntimeRecord",
        "getValueProfDataSize",
        "serializeValueProfDataFrom",
    )
)
STOP_DESCRIPTION_MAX = 256


def hex_address(address: int) -> str:
    return "0x%x" % address


def module_name(module) -> str | None:
    if not module.IsValid():
        return None
    return module.GetFileSpec().GetFilename()


def describe_frame(frame) -> dict:
    """{symbol, module, file?, line?, pc}; symbol is the function, else the symbol, else "?"."""
    entry = {
        "symbol": frame.GetFunctionName() or "?",
        "module": module_name(frame.GetModule()) or "?",
        "pc": hex_address(frame.GetPC()),
    }
    line_entry = frame.GetLineEntry()
    if line_entry.IsValid() and line_entry.GetLine() > 0:
        entry["file"] = line_entry.GetFileSpec().fullpath
        entry["line"] = line_entry.GetLine()
    return entry


def describe_frames(thread, depth: int) -> list[dict]:
    """Up to `depth` frames, walked one by one (GetNumFrames would unwind the whole stack)."""
    frames = []
    for index in range(depth):
        frame = thread.GetFrameAtIndex(index)
        if not frame.IsValid():
            break
        frames.append(describe_frame(frame))
    return frames


def describe_code_address(target, address: int) -> dict:
    """{address, symbol, module} of a load address, e.g. a function being registered."""
    resolved = target.ResolveLoadAddress(address)
    name = resolved.GetFunction().GetName() or resolved.GetSymbol().GetName()
    return {
        "address": hex_address(address),
        "symbol": name or "?",
        "module": module_name(resolved.GetModule()) or "?",
    }


def thread_fields(thread, depth: int) -> dict:
    frame = thread.GetFrameAtIndex(0)
    return {
        "tid": thread.GetThreadID(),
        "thread_name": thread.GetName() or None,
        "pc": hex_address(frame.GetPC()),
        "frames": describe_frames(thread, depth),
    }


def location_modules(breakpoint) -> list[str]:
    names: list[str] = []
    for location in breakpoint:
        name = module_name(location.GetAddress().GetModule())
        if name and name not in names:
            names.append(name)
    return names


def signal_name(process, signo: int) -> str:
    return process.GetUnixSignals().GetSignalAsCString(signo) or "SIG%d" % signo


def fault_address(thread, name: str | None) -> str | None:
    """si_addr for faults the kernel raised (si_code > 0), else the stop description's."""
    if name not in FAULT_SIGNALS:
        return None
    siginfo = thread.GetSiginfo()
    if siginfo.IsValid() and siginfo.GetChildMemberWithName("si_code").GetValueAsSigned() > 0:
        address = siginfo.GetValueForExpressionPath("._sifields._sigfault.si_addr")
        if address.IsValid():
            return hex_address(address.GetValueAsUnsigned())
    return fault_address_in(thread.GetStopDescription(STOP_DESCRIPTION_MAX))


def in_profile_runtime(thread, depth: int = 8) -> bool:
    """The innermost frames are compiler-rt's profile runtime (its writer, the value profiler)."""
    for index in range(min(depth, thread.GetNumFrames())):
        name = thread.GetFrameAtIndex(index).GetFunctionName() or ""
        if is_profile_runtime_function(name):
            return True
    return False


def is_profile_runtime_function(name: str) -> bool:
    return name.startswith(PROFILE_RUNTIME_PREFIXES) or name in PROFILE_RUNTIME_FUNCTIONS
