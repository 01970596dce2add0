"""The contract between debug-exit and its LLDB scripts, for the Python side.

The same facts as schema/event.schema.json, schema/spec.schema.json and src/contract/ (TypeScript);
test/unit/contract.test.ts keeps them equal. Plain data: no LLDB import, so it loads anywhere.
"""

EVENT_SCHEMA = "debug-exit/event@1"
SPEC_SCHEMA = "debug-exit/spec@1"

# Every event kind the scripts emit (one branch each in event@1).
EVENT_KINDS = (
    "hello",
    "probe-resolved",
    "hit",
    "launched",
    "integrity",
    "experiment",
    "signal",
    "exit",
    "exit-handler",
    "census",
    "error",
)

# Every probe role, in the order a run meets them.
PROBE_ROLES = (
    "main",
    "profile-register",
    "allocator-init",
    "allocator-teardown",
    "allocator-release",
    "profile-write",
    "process-exit",
    "atexit-register",
)

# How often a probe reports: every hit, the first, the first after each profile write, until main.
PROBE_MODES = ("every", "once", "once-per-write", "until-main")

EXPERIMENTS = ("early-write",)

# The fields of a spec@1 file besides `schema` and `nonce`, which are read first.
SPEC_FIELDS = (
    "program",
    "args",
    "env",
    "stdout_path",
    "stderr_path",
    "timeout_s",
    "disable_aslr",
    "backtrace_depth",
    "probes",
    "experiment",
    "census",
)

# --census: the list read at exit(), or a stop at every registration.
CENSUS_MODES = ("list", "stops")

MAX_BACKTRACE_DEPTH = 256
