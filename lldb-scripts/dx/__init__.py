"""debug-exit's LLDB side, by concern. `lldb-scripts/debug_exit.py` is what LLDB imports; it puts
this package's folder on sys.path and registers the commands of `commands`.

    contract       the contract's facts for Python (plain data; tested equal to the schemas)
    errors         DxError (an error event's code and message), describe_exception
    channel        event framing (one APC frame per event, one write) and the numbering
    link           the Unix socket to debug-exit: greeting, watchdog, no controlling terminal
    spec           read_spec / checked_spec: a spec@1 file or greeting -> Spec
    probes         probe modes (once, until-main, once-per-write) and hit filtering, pure
    describe       frames, threads, code addresses, signals of SB objects, as event fields
    signals        crash/fault signal sets, the exit signal from LLDB's description, pure
    session        the target of a spec, its breakpoints, and what a probe hit reports
    follow         one process follower; its capture policy (dx-run) and watch policy (dx-watch)
    follow_rules   the followers' pure decisions (deadlines, which signal ended a process)
    integrity      the profile-data integrity check (memory reader passed in)
    exit_handlers  the C library's exit handler list (--census list; memory reader passed in)
    early_write    the early-write experiment (an expression call at exit)
    output_relay   --program-output terminal: the program's output through a FIFO
    commands       dx-setup, dx-run, dx-watch, and what LLDB calls at import

Nothing is imported here: each module loads only when a command needs it.
"""
