/** `debug-exit doctor`, the pure part: arguments, facts -> findings, the report's text and JSON. */
import assert from 'node:assert/strict';
import { parseArgs } from '../../src/cli/args';
import {
  doctorReport,
  resolvedByModule,
  type CheckOutcome,
  type DoctorFacts,
  type Finding,
  type PtraceFacts,
} from '../../src/doctor/findings';
import { parseLdSoConf } from '../../src/doctor/library-dirs';
import { outcomeOf } from '../../src/doctor/check-session';
import { renderDoctorJson, renderDoctorText } from '../../src/doctor/render';
import { isDebugExitError } from '../../src/session/failure';
import type { DebugExitEvent, ProbeRole } from '../../src/timeline/events';

// ---------------------------------------------------------------------------------------------
// Builders

let seq = 0;
const t_ns = 1;
const hello = (): DebugExitEvent => ({
  seq: ++seq,
  t_ns,
  kind: 'hello',
  schema: 'debug-exit/event@1',
  lldb_version: 'lldb version 19.1.7',
  platform: 'linux',
});
const probe = (
  role: ProbeRole,
  symbol: string,
  modules: string[] = [],
  locations = modules.length,
): DebugExitEvent => ({
  seq: ++seq,
  t_ns,
  kind: 'probe-resolved',
  role,
  symbol,
  locations,
  modules,
});

function batch(events: DebugExitEvent[], more: Partial<CheckOutcome> = {}): CheckOutcome {
  return { events, lastOutput: '', exitCode: 0, timedOut: false, ...more };
}

const launchedAndExited = (): DebugExitEvent[] => [
  hello(),
  { seq: ++seq, t_ns, kind: 'launched', pid: 42 },
  { seq: ++seq, t_ns, kind: 'exit', status: 0 },
];
const launchFailed = (message: string): DebugExitEvent[] => [
  hello(),
  { seq: ++seq, t_ns, kind: 'error', code: 'launch-failed', message },
];

const PTRACE_OK: PtraceFacts = { yamaScope: 1, capSysPtrace: false, container: null, seccompFilter: false };

function facts(more: Partial<DoctorFacts> = {}): DoctorFacts {
  const script = batch(launchedAndExited());
  return {
    platform: 'linux',
    scriptPath: '/pkg/lldb-scripts/debug_exit.py',
    lldb: { found: true, path: '/usr/bin/lldb-19', version: 'lldb version 19.1.7' },
    script,
    ptrace: PTRACE_OK,
    launch: { program: '/usr/bin/true', aslrOff: script, aslrOn: null },
    programPath: null,
    program: null,
    ...more,
  };
}

/** The probes a program reports at dx-setup: the catalogue's main roles, resolved where given. */
function programEvents(resolved: Partial<Record<string, string[]>>, extra: DebugExitEvent[] = []): DebugExitEvent[] {
  const at = (symbol: string) => resolved[symbol] ?? [];
  return [
    hello(),
    probe('main', 'main', at('main')),
    probe('allocator-teardown', 'mi_process_done', at('mi_process_done')),
    probe('allocator-teardown', 'mi_process_detach', at('mi_process_detach')),
    probe('profile-write', 'writeFileWithoutReturn', at('writeFileWithoutReturn')),
    probe('profile-write', '__llvm_profile_write_file', at('__llvm_profile_write_file')),
    probe('process-exit', 'exit', at('exit')),
    probe('process-exit', '_exit', at('_exit'), at('_exit').length),
    probe('atexit-register', 'atexit', at('atexit')),
    probe('atexit-register', '__cxa_atexit', at('__cxa_atexit')),
    probe('allocator-init', 'mi_version', at('mi_version')),
    ...extra,
  ];
}

function withProgram(path: string, events: DebugExitEvent[]): DoctorFacts {
  return facts({ programPath: path, program: { path, setup: batch(events), libraryDirs: ['/lib/x86_64-linux-gnu'] } });
}

function byCheck(findings: readonly Finding[], check: string): Finding {
  const found = findings.find((f) => f.check === check);
  assert.ok(found, `no ${check} finding in ${JSON.stringify(findings)}`);
  return found;
}

const LIBC = ['libc.so.6'];
const INSTRUMENTED_WITH_MIMALLOC = {
  main: ['app'],
  mi_process_done: ['app'],
  writeFileWithoutReturn: ['app'],
  __llvm_profile_write_file: ['app'],
  exit: LIBC,
  _exit: ['libc.so.6', 'ld-linux-x86-64.so.2'],
  atexit: ['app'],
  __cxa_atexit: LIBC,
  mi_version: ['app'],
};

// ---------------------------------------------------------------------------------------------

describe('doctor: arguments', () => {
  it('defaults, and the program as the one positional argument', () => {
    assert.deepEqual(parseArgs(['doctor']), {
      command: 'doctor',
      lldb: null,
      format: 'text',
      logLevel: 'warn',
      program: null,
    });
    assert.deepEqual(parseArgs(['doctor', '--lldb', '/x/lldb', '--format=json', './app', '--log-level', 'debug']), {
      command: 'doctor',
      lldb: '/x/lldb',
      format: 'json',
      logLevel: 'debug',
      program: './app',
    });
    const afterSeparator = parseArgs(['doctor', '--format', 'json', '--', '--odd-name']);
    assert.equal(afterSeparator.command === 'doctor' && afterSeparator.program, '--odd-name');
  });

  it('usage errors: two programs, a format it has no renderer for, an unknown option', () => {
    for (const argv of [
      ['doctor', 'a', 'b'],
      ['doctor', '--format', 'markdown'],
      ['doctor', '--census', './app'],
      ['doctor', '--', 'a', 'b'],
    ]) {
      assert.throws(
        () => parseArgs(argv),
        (e: unknown) => isDebugExitError(e) && e.failure.code === 'usage',
        argv.join(' '),
      );
    }
  });
});

describe('doctor: environment findings', () => {
  it('LLDB 19, the script says hello, ptrace_scope 1, /bin/true launched and exited: all ok', () => {
    const report = doctorReport(facts());
    assert.deepEqual(
      report.environment.map((f) => [f.check, f.status]),
      [
        ['lldb', 'ok'],
        ['python', 'ok'],
        ['ptrace', 'ok'],
        ['launch', 'ok'],
      ],
    );
    assert.equal(report.failed, false);
    assert.match(
      byCheck(report.environment, 'python').finding,
      /debug-exit\/event@1, lldb version 19\.1\.7, platform linux/,
    );
    assert.match(
      byCheck(report.environment, 'ptrace').finding,
      /ptrace_scope is 1: a debugger may trace its own children/,
    );
  });

  it('LLDB missing: one FAIL with what to do, and nothing that needs LLDB', () => {
    const report = doctorReport(
      facts({
        lldb: { found: false, message: 'LLDB not found: /nonexistent', hint: 'install it' },
        script: null,
        launch: null,
        programPath: '/p/app',
      }),
    );
    assert.deepEqual(report.environment, [
      { status: 'FAIL', check: 'lldb', finding: 'LLDB not found: /nonexistent', hint: 'install it' },
    ]);
    assert.equal(report.failed, true);
    assert.deepEqual(report.notes, ['the probes of /p/app are not checked: that needs LLDB']);
  });

  it('another LLDB version is a warning; something that is not LLDB, too', () => {
    const old = doctorReport(
      facts({ lldb: { found: true, path: '/usr/bin/lldb-15', version: 'lldb version 15.0.6' } }),
    );
    assert.equal(byCheck(old.environment, 'lldb').status, 'warn');
    assert.match(byCheck(old.environment, 'lldb').finding, /tested with LLDB 19/);
    const echo = doctorReport(facts({ lldb: { found: true, path: '/bin/echo', version: 'echo (GNU coreutils) 9.1' } }));
    assert.match(byCheck(echo.environment, 'lldb').finding, /is it LLDB\?/);
  });

  it('no hello: the script did not load (FAIL, with what LLDB said), and no launch was tried', () => {
    const noPython = batch([], {
      exitCode: 1,
      lastOutput: "(lldb) command script import x\nerror: module importing failed: No module named 'lldb'",
    });
    const report = doctorReport(facts({ script: noPython, launch: null }));
    const python = byCheck(report.environment, 'python');
    assert.equal(python.status, 'FAIL');
    assert.match(python.finding, /did not load in LLDB .*LLDB said: error: module importing failed/);
    assert.match(python.hint ?? '', /python3-lldb-19/);
    assert.equal(python.output, noPython.lastOutput);
    assert.equal(byCheck(report.environment, 'launch').status, 'warn');
    assert.equal(report.failed, true);
  });

  it('a script of another event schema is a FAIL', () => {
    const other = batch([{ ...hello(), schema: 'debug-exit/event@2' } as DebugExitEvent]);
    const python = byCheck(doctorReport(facts({ script: other, launch: null })).environment, 'python');
    assert.equal(python.status, 'FAIL');
    assert.match(python.finding, /speaks debug-exit\/event@2, this debug-exit reads debug-exit\/event@1/);
  });

  it('ptrace_scope: absent and 0 are ok, 2 needs CAP_SYS_PTRACE, 3 is a FAIL', () => {
    const ptrace = (p: Partial<PtraceFacts>) =>
      byCheck(doctorReport(facts({ ptrace: { ...PTRACE_OK, ...p } })).environment, 'ptrace');
    assert.equal(ptrace({ yamaScope: null }).status, 'ok');
    assert.equal(ptrace({ yamaScope: 0 }).status, 'ok');
    assert.equal(ptrace({ yamaScope: 2, capSysPtrace: true }).status, 'ok');
    const admin = ptrace({ yamaScope: 2 });
    assert.equal(admin.status, 'FAIL');
    assert.match(admin.hint ?? '', /ptrace_scope=1/);
    const off = ptrace({ yamaScope: 3, container: 'docker', seccompFilter: true });
    assert.equal(off.status, 'FAIL');
    assert.match(
      off.finding,
      /ptrace_scope is 3: no process may be traced; in a container \(docker\), under a seccomp filter/,
    );
    assert.match(off.hint ?? '', /reboot/);
  });

  it('ASLR cannot be disabled (Docker) but a launch with ASLR on works: a warning naming --aslr on', () => {
    const off = batch(launchFailed('personality set failed: Operation not permitted'));
    const report = doctorReport(
      facts({ script: off, launch: { program: '/usr/bin/true', aslrOff: off, aslrOn: batch(launchedAndExited()) } }),
    );
    const launch = byCheck(report.environment, 'launch');
    assert.equal(launch.status, 'warn');
    assert.match(
      launch.finding,
      /cannot launch with ASLR disabled here \(personality set failed: Operation not permitted\); with ASLR on it launched/,
    );
    assert.match(launch.hint ?? '', /--aslr on/);
    assert.equal(report.failed, false);
  });

  it('no launch at all: FAIL, with the container advice when in a container', () => {
    const denied = batch(launchFailed('Operation not permitted'), { lastOutput: 'error: process launch failed' });
    const report = doctorReport(
      facts({
        script: denied,
        ptrace: { ...PTRACE_OK, container: 'docker' },
        launch: { program: '/usr/bin/true', aslrOff: denied, aslrOn: denied },
      }),
    );
    const launch = byCheck(report.environment, 'launch');
    assert.equal(launch.status, 'FAIL');
    assert.match(launch.finding, /could not launch and trace \/usr\/bin\/true: Operation not permitted/);
    assert.match(launch.hint ?? '', /--cap-add=SYS_PTRACE --security-opt seccomp=unconfined/);
    assert.equal(launch.output, 'error: process launch failed');
  });

  it('LLDB killed at the timeout: the launch FAILs and says so', () => {
    const hung = batch([hello(), { seq: ++seq, t_ns, kind: 'launched', pid: 7 }], { timedOut: true, exitCode: null });
    const launch = byCheck(
      doctorReport(facts({ script: hung, launch: { program: '/usr/bin/true', aslrOff: hung, aslrOn: hung } }))
        .environment,
      'launch',
    );
    assert.equal(launch.status, 'FAIL');
    assert.match(launch.finding, /did not finish in time and was killed/);
  });

  it('macOS: says the launch is not checked there, no ptrace check, and does not fail', () => {
    const script = batch([hello()]);
    const report = doctorReport(facts({ platform: 'darwin', script, ptrace: null, launch: null }));
    assert.deepEqual(
      report.environment.map((f) => [f.check, f.status]),
      [
        ['lldb', 'ok'],
        ['python', 'ok'],
        ['launch', 'warn'],
      ],
    );
    assert.match(byCheck(report.environment, 'launch').finding, /not checked on macOS/);
    assert.equal(report.failed, false);
  });
});

describe('doctor: what a capture of the program can see', () => {
  it('instrumented, with mimalloc that has symbols: every program check ok, probes listed by role and module', () => {
    const report = doctorReport(withProgram('/p/app', programEvents(INSTRUMENTED_WITH_MIMALLOC)));
    const program = report.program!;
    assert.deepEqual(
      program.findings.map((f) => [f.check, f.status]),
      [
        ['symbols', 'ok'],
        ['profile-write', 'ok'],
        ['allocator', 'ok'],
        ['exit', 'ok'],
        ['atexit', 'ok'],
      ],
    );
    assert.match(byCheck(program.findings, 'allocator').finding, /allocator probes resolve in app \(mi_process_done\)/);
    const teardown = program.roles.find((r) => r.role === 'allocator-teardown')!;
    assert.deepEqual(
      [teardown.resolved.map((p) => p.symbol), teardown.unresolved],
      [['mi_process_done'], ['mi_process_detach']],
    );
    // The marker probe is doctor's own: not listed among the catalogue's.
    assert.ok(!program.roles.some((r) => [...r.resolved.map((p) => p.symbol), ...r.unresolved].includes('mi_version')));
    assert.equal(report.failed, false);
    assert.equal(report.notes.length, 2);
  });

  it('not instrumented: no profile-write probe resolves, the verdict will stay inconclusive', () => {
    const events = programEvents({
      ...INSTRUMENTED_WITH_MIMALLOC,
      writeFileWithoutReturn: [],
      __llvm_profile_write_file: [],
    });
    const writer = byCheck(doctorReport(withProgram('/p/no-pgo', events)).program!.findings, 'profile-write');
    assert.equal(writer.status, 'warn');
    assert.match(
      writer.finding,
      /no profile-write probe resolves: no-pgo is not instrumented with -fprofile-generate \(the allocator-cleanup-first verdict will stay inconclusive\)/,
    );
  });

  it('stripped: no symbols, so neither the writer nor the allocator can be told; libc probes still resolve', () => {
    const report = doctorReport(withProgram('/p/stripped', programEvents({ exit: LIBC, __cxa_atexit: LIBC })));
    const findings = report.program!.findings;
    assert.deepEqual(
      findings.map((f) => [f.check, f.status]),
      [
        ['symbols', 'warn'],
        ['profile-write', 'warn'],
        ['allocator', 'warn'],
        ['exit', 'ok'],
        ['atexit', 'ok'],
      ],
    );
    assert.match(byCheck(findings, 'symbols').finding, /stripped has no symbols \(main does not resolve/);
    assert.match(
      byCheck(findings, 'profile-write').finding,
      /has no symbols, so whether it is instrumented with -fprofile-generate cannot be told/,
    );
    assert.match(
      byCheck(findings, 'allocator').finding,
      /no allocator probe resolves: no mimalloc in the libraries LLDB found, and stripped has no symbols/,
    );
    assert.equal(report.failed, false, 'a program that shows little is a warning, not a failure');
  });

  it('mimalloc from a stripped shared library: mi_version resolves, its teardown does not', () => {
    const events = programEvents({
      ...INSTRUMENTED_WITH_MIMALLOC,
      mi_process_done: [],
      mi_version: ['libmimalloc.so.2'],
    });
    const allocator = byCheck(doctorReport(withProgram('/p/app', events)).program!.findings, 'allocator');
    assert.equal(allocator.status, 'warn');
    assert.match(
      allocator.finding,
      /mimalloc is in libmimalloc\.so\.2 \(mi_version resolves\) but none of its teardown does/,
    );
    assert.match(allocator.hint ?? '', /built with symbols/);
  });

  it('no mimalloc at all: the order against a teardown cannot be known', () => {
    const events = programEvents({ ...INSTRUMENTED_WITH_MIMALLOC, mi_process_done: [], mi_version: [] });
    const allocator = byCheck(doctorReport(withProgram('/p/app', events)).program!.findings, 'allocator');
    assert.match(
      allocator.finding,
      /no allocator probe resolves: no mimalloc, or mimalloc without symbols .*: the order against a teardown cannot be known/,
    );
  });

  it('libc not found before launch: exit and atexit are warnings that say they resolve at run time', () => {
    const events = programEvents({ ...INSTRUMENTED_WITH_MIMALLOC, exit: [], _exit: [], atexit: [], __cxa_atexit: [] });
    const findings = doctorReport(withProgram('/p/app', events)).program!.findings;
    assert.equal(byCheck(findings, 'exit').status, 'warn');
    assert.match(byCheck(findings, 'exit').finding, /resolves when the C library loads at run time/);
    assert.equal(byCheck(findings, 'atexit').status, 'warn');
  });

  it('LLDB cannot load the program: a FAIL with its message', () => {
    const events: DebugExitEvent[] = [
      hello(),
      { seq: ++seq, t_ns, kind: 'error', code: 'target-failed', message: "/p/x: '/p/x' is not a valid executable" },
    ];
    const report = doctorReport(withProgram('/p/x', events));
    assert.deepEqual(
      report.program!.findings.map((f) => [f.check, f.status]),
      [['program', 'FAIL']],
    );
    assert.match(report.program!.findings[0].finding, /LLDB cannot load \/p\/x: .*not a valid executable/);
    assert.equal(report.failed, true);
    assert.deepEqual(report.notes, []);
  });

  it('resolvedByModule: one group per module, symbols with more locations than modules counted', () => {
    const groups = resolvedByModule([
      { role: 'process-exit', symbol: 'exit', locations: 1, modules: ['libc.so.6'], seq: 1 },
      { role: 'process-exit', symbol: '_exit', locations: 2, modules: ['libc.so.6', 'ld.so'], seq: 2 },
      { role: 'process-exit', symbol: '_dl_fini', locations: 3, modules: ['ld.so'], seq: 3 },
    ]);
    assert.deepEqual(groups, [
      { module: 'libc.so.6', symbols: ['exit', '_exit'] },
      { module: 'ld.so', symbols: ['_exit', '_dl_fini (3 locations)'] },
    ]);
  });
});

describe('doctor: the report', () => {
  it('text: `status  check: finding`, what to do under a warning, probes by role, a summary', () => {
    const events = programEvents({
      ...INSTRUMENTED_WITH_MIMALLOC,
      writeFileWithoutReturn: [],
      __llvm_profile_write_file: [],
    });
    const text = renderDoctorText(doctorReport(withProgram('/p/no-pgo', events)));
    assert.match(text, /^Environment\n {2}ok {4}lldb: \/usr\/bin\/lldb-19 \(lldb version 19\.1\.7\)\n/);
    assert.match(text, /\n {2}warn {2}profile-write: no profile-write probe resolves/);
    assert.match(text, /\n {8}what to do: capture the PGO-instrumented build/);
    assert.match(text, /\n {2}process-exit {8}libc\.so\.6: exit, _exit\n {22}ld-linux-x86-64\.so\.2: _exit\n/);
    assert.match(text, /\n {2}profile-write {7}unresolved: writeFileWithoutReturn, __llvm_profile_write_file\n/);
    assert.match(text, /What a capture of no-pgo can see/);
    assert.match(text, /debug-exit doctor: nothing fails; 1 warning\(s\)/);
  });

  it("text: a FAIL shows LLDB's last output and the summary says a capture cannot run", () => {
    const noPython = batch([], { exitCode: 1, lastOutput: 'error: no python\nline two' });
    const text = renderDoctorText(doctorReport(facts({ script: noPython, launch: null })));
    assert.match(text, /\n {2}FAIL {2}python: /);
    assert.match(text, /LLDB's last output:\n {10}error: no python\n {10}line two\n/);
    assert.match(text, /debug-exit doctor: 1 check\(s\) FAIL: a capture cannot run until they are fixed\n$/);
  });

  it('JSON: debug-exit/doctor@1, ok, the findings and the probes by role', () => {
    const json = JSON.parse(
      renderDoctorJson(doctorReport(withProgram('/p/app', programEvents(INSTRUMENTED_WITH_MIMALLOC)))),
    );
    assert.equal(json.schema, 'debug-exit/doctor@1');
    assert.equal(json.ok, true);
    assert.deepEqual(
      json.environment.map((f: Finding) => f.check),
      ['lldb', 'python', 'ptrace', 'launch'],
    );
    assert.equal(json.program.path, '/p/app');
    assert.deepEqual(json.program.library_dirs, ['/lib/x86_64-linux-gnu']);
    const exit = json.program.roles.find((r: { role: string }) => r.role === 'process-exit');
    assert.deepEqual(exit.resolved[1], {
      symbol: '_exit',
      locations: 2,
      modules: ['libc.so.6', 'ld-linux-x86-64.so.2'],
    });
    assert.equal(
      JSON.parse(
        renderDoctorJson(doctorReport(facts({ lldb: { found: false, message: 'm', hint: 'h' }, script: null }))),
      ).ok,
      false,
    );
  });
});

describe('doctor: helpers', () => {
  it('parseLdSoConf: directories, includes, comments and old DIR=TYPE lines', () => {
    const conf =
      '# libc default configuration\ninclude /etc/ld.so.conf.d/*.conf\n/usr/local/lib  # local\n\n/opt/x/lib=libc6\ninclude a.conf b.conf\n';
    assert.deepEqual(parseLdSoConf(conf), {
      dirs: ['/usr/local/lib', '/opt/x/lib'],
      includes: ['/etc/ld.so.conf.d/*.conf', 'a.conf', 'b.conf'],
    });
  });

  it("a check session as doctor words it: hung means timed out, rejected frames follow LLDB's last output", () => {
    const said = hello();
    const session = {
      events: [said],
      badFrames: [],
      rejected: [{ source: 'channel' as const, reason: 'bad json', claimed: null }],
      rejectedCount: 1,
      failure: { code: 'lldb-hung' as const, message: 'LLDB did not answer `dx-setup`' },
      aborted: false,
      tail: '(lldb) dx-setup\r\n\u001b[31merror: slow\u001b[0m\r\n',
    };
    const outcome = outcomeOf(session, null);
    assert.deepEqual(outcome, {
      events: [said],
      lastOutput: '(lldb) dx-setup\nerror: slow\n(rejected event frame: bad json)',
      exitCode: null,
      timedOut: true,
    });
    assert.equal(outcomeOf({ ...session, failure: null, rejected: [] }, 0).timedOut, false);
  });
});
