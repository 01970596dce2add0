"""The benchmark's floor: a plain LLDB tracer, no debug-exit around it.

    lldb-19 --no-lldbinit --batch -o 'command script import bench/baseline_tracer.py' \
            -o 'baseline-trace SPEC.json'

It reads the same session spec debug-exit writes (src/session/spec.ts), sets the same probes as
SB API breakpoints with Python callbacks (the same modes: once, until-main, once-per-write, every),
prints one JSON line per hit with its backtrace, launches the program with the spec's arguments,
environment and output files, and prints its exit status. What a careful person would write by
hand to trace these probes: debug-exit's capture is measured against it (npm run bench).
"""
import json
import shlex

import lldb

DEPTH = 16
STATE = {"probes": {}, "main_seen": False}


def frames_of(thread):
    out = []
    for index in range(min(DEPTH, thread.GetNumFrames())):
        frame = thread.GetFrameAtIndex(index)
        out.append({"symbol": frame.GetFunctionName() or "?", "pc": "0x%x" % frame.GetPC()})
    return out


def set_mode_enabled(mode, enabled):
    for probe in STATE["probes"].values():
        if probe["mode"] == mode:
            probe["bp"].SetEnabled(enabled)


def on_hit(frame, bp_loc, extra_args, internal_dict):
    probe = STATE["probes"].get(bp_loc.GetBreakpoint().GetID())
    if probe is None:
        return False
    thread = frame.GetThread()
    line = {"role": probe["role"], "symbol": probe["symbol"], "tid": thread.GetThreadID(), "frames": frames_of(thread)}
    if probe["reads_registered"]:
        line["registered"] = "0x%x" % frame.FindRegister("arg1").GetValueAsUnsigned()
    print(json.dumps(line))
    if probe["mode"] in ("once", "once-per-write"):
        probe["bp"].SetEnabled(False)
    if probe["symbol"] == "__llvm_profile_write_file":
        set_mode_enabled("once-per-write", True)
    if probe["role"] == "main" and not STATE["main_seen"]:
        STATE["main_seen"] = True
        set_mode_enabled("until-main", False)
    return False


def baseline_trace(debugger, command, result, internal_dict):
    with open(shlex.split(command)[0]) as handle:
        spec = json.load(handle)
    debugger.SetAsync(False)
    error = lldb.SBError()
    target = debugger.CreateTarget(spec["program"], None, None, True, error)
    if not target.IsValid():
        result.SetError("cannot create the target: %s" % error.GetCString())
        return
    for row in spec["probes"]:
        for symbol in row["symbols"]:
            bp = target.BreakpointCreateByName(symbol)
            bp.SetScriptCallbackFunction(__name__ + ".on_hit")
            STATE["probes"][bp.GetID()] = {"bp": bp, "role": row["role"], "symbol": symbol, "mode": row["mode"],
                                           "reads_registered": row["reads_registered_function"]}
    info = lldb.SBLaunchInfo(spec["args"])
    info.SetEnvironmentEntries(["%s=%s" % kv for kv in spec["env"].items()], True)
    flags = info.GetLaunchFlags()
    info.SetLaunchFlags(flags | lldb.eLaunchFlagDisableASLR if spec["disable_aslr"] else flags & ~lldb.eLaunchFlagDisableASLR)
    if spec["stdout_path"]:
        info.AddOpenFileAction(1, spec["stdout_path"], False, True)
        info.AddOpenFileAction(2, spec["stderr_path"], False, True)
    process = target.Launch(info, error)
    if not error.Success():
        result.SetError("cannot launch: %s" % error.GetCString())
        return
    while process.GetState() == lldb.eStateStopped:
        process.Continue()
    print(json.dumps({"exit": process.GetExitStatus(), "state": lldb.SBDebugger.StateAsCString(process.GetState())}))


def __lldb_init_module(debugger, internal_dict):
    debugger.HandleCommand("command script add -f %s.baseline_trace baseline-trace" % __name__)
