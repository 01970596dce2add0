/**
 * `debug-exit doctor` on real LLDB: the environment checks, and which probes resolve in the
 * bundled fixtures without running them (the program's libraries loaded from disk included).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, runCli } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { survivors } from '../helpers/processes';

interface DoctorJson {
  schema: string;
  ok: boolean;
  environment: Array<{ status: string; check: string; finding: string; hint?: string }>;
  program: {
    path: string;
    roles: Array<{
      role: string;
      resolved: Array<{ symbol: string; locations: number; modules: string[] }>;
      unresolved: string[];
    }>;
    findings: Array<{ status: string; check: string; finding: string; hint?: string }>;
  } | null;
}

async function doctorJson(args: string[]): Promise<DoctorJson> {
  const run = await runCli(['doctor', '--format', 'json', ...args]);
  assert.equal(run.code, 0, `doctor ${args.join(' ')} exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  return JSON.parse(run.stdout) as DoctorJson;
}

/** Where each resolved symbol of a role resolved: `symbol -> modules`. */
function resolvedIn(json: DoctorJson, role: string): Record<string, string[]> {
  const entry = json.program?.roles.find((r) => r.role === role);
  return Object.fromEntries((entry?.resolved ?? []).map((p) => [p.symbol, p.modules]));
}

/**
 * An LLDB that runs under a seccomp filter refusing personality(ADDR_NO_RANDOMIZE) with EPERM,
 * as Docker's default profile does: LLDB's launch with ASLR disabled fails, with ASLR on it works.
 */
function seccompLldb(): string {
  const personality = ({ x64: 135, arm64: 92 } as Record<string, number>)[process.arch];
  if (personality === undefined) throw new Error(`no personality syscall number for ${process.arch}: add it here`);
  return `#!/usr/bin/env python3
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
def stmt(code, k): return struct.pack("HBBI", code, 0, 0, k)
def jump(code, k, jt, jf): return struct.pack("HBBI", code, jt, jf, k)
prog = b"".join([
    stmt(0x20, 0),                      # A = syscall number
    jump(0x15, ${personality}, 0, 3),   # personality?
    stmt(0x20, 16),                     # A = low word of its argument
    jump(0x45, 0x0040000, 0, 1),        # ADDR_NO_RANDOMIZE set?
    stmt(0x06, 0x00050000 | 1),         # fail with EPERM
    stmt(0x06, 0x7fff0000),             # allow
])
buf = ctypes.create_string_buffer(prog)
class Fprog(ctypes.Structure): _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fprog = Fprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
assert libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0, ctypes.get_errno()  # PR_SET_SECCOMP, filter
os.execvp("lldb-19", ["lldb-19"] + sys.argv[1:])
`;
}

describe('doctor', function () {
  this.timeout(120000);

  it('no program: LLDB found with its version, the script says hello, a child can be launched and traced', async () => {
    const run = await runCli(['doctor']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^ {2}ok {4}lldb: \S*lldb\S* \(lldb version 19\.\d+\.\d+\)$/m);
    assert.match(
      run.stdout,
      /^ {2}ok {4}python: LLDB's Python runs the debug-exit script \(debug-exit\/event@1, lldb version 19/m,
    );
    assert.match(run.stdout, /^ {2}ok {4}ptrace: /m);
    assert.match(run.stdout, /^ {2}ok {4}launch: LLDB launched \S+ with ASLR disabled[\s\S]*?its exit \(status 0\)/m);
    assert.doesNotMatch(run.stdout, /Probes of/);
    assert.match(run.stdout, /debug-exit doctor: every check ok\n$/);
  });

  it('allocator-first: the profile writer and mimalloc resolve in the program, exit in libc, before any launch', async () => {
    const json = await doctorJson([fixture('allocator-first')]);
    assert.equal(json.schema, 'debug-exit/doctor@1');
    assert.equal(json.ok, true);
    assert.deepEqual(
      json.environment.map((f) => [f.check, f.status]),
      [
        ['lldb', 'ok'],
        ['python', 'ok'],
        ['ptrace', 'ok'],
        ['launch', 'ok'],
      ],
    );
    assert.equal(json.program?.path, fixture('allocator-first'));
    assert.deepEqual(
      json.program?.findings.map((f) => [f.check, f.status]),
      [
        ['symbols', 'ok'],
        ['profile-write', 'ok'],
        ['allocator', 'ok'],
        ['exit', 'ok'],
        ['atexit', 'ok'],
        ['profile-data', 'ok'],
      ],
    );
    assert.deepEqual(resolvedIn(json, 'profile-write').writeFileWithoutReturn, ['allocator-first']);
    assert.deepEqual(resolvedIn(json, 'allocator-teardown').mi_process_done, ['allocator-first']);
    // Libraries the program links are loaded from disk: probes resolve in them without a run.
    assert.deepEqual(resolvedIn(json, 'process-exit').exit, ['libc.so.6']);
    assert.deepEqual(resolvedIn(json, 'atexit-register').__cxa_atexit, ['libc.so.6']);
    assert.match(
      json.program?.findings.find((f) => f.check === 'allocator')?.finding ?? '',
      /allocator probes resolve in allocator-first \(mi_process_done\)/,
    );
  });

  it('allocator-first, as text: the probes by role and module, then what a capture can see', async () => {
    const run = await runCli(['doctor', fixture('allocator-first')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ {2}allocator-teardown {2}allocator-first: mi_process_done$/m);
    assert.match(run.stdout, /^ {2}process-exit {8}libc\.so\.6: exit, /m);
    assert.match(run.stdout, /^What a capture of allocator-first can see$/m);
    assert.match(run.stdout, /^ {2}ok {4}profile-write: the profile writer resolves: writeFileWithoutReturn/m);
  });

  it('no-pgo: says the program is not instrumented, and the verdict will stay inconclusive', async () => {
    const run = await runCli(['doctor', fixture('no-pgo')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /warn {2}profile-write: no profile-write probe resolves: no-pgo is not instrumented with\s+-fprofile-generate/,
    );
    assert.match(run.stdout, /inconclusive/);
    assert.match(run.stdout, /what to do: capture the PGO-instrumented build/);
    assert.match(run.stdout, /ok {4}allocator: /, 'no-pgo links mimalloc with symbols');
  });

  it('stripped: says the program has no symbols, and what follows for the writer and the allocator', async () => {
    const json = await doctorJson([fixture('stripped')]);
    const findings = json.program?.findings ?? [];
    assert.deepEqual(
      findings.map((f) => [f.check, f.status]),
      [
        ['symbols', 'warn'],
        ['profile-write', 'warn'],
        ['allocator', 'warn'],
        ['exit', 'ok'],
        ['atexit', 'ok'],
        ['profile-data', 'ok'],
      ],
    );
    assert.match(findings[0].finding, /stripped has no symbols \(main does not resolve/);
    assert.match(findings[1].finding, /whether it is instrumented with -fprofile-generate cannot be told/);
    assert.match(findings[2].finding, /no allocator probe resolves/);
    assert.deepEqual(json.program?.roles.find((r) => r.role === 'main')?.unresolved, ['main']);
  });

  it("mimalloc from Debian's stripped shared library: mimalloc is found, its teardown is not", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-doctor-'));
    try {
      const source = path.join(dir, 'shared-mimalloc.c');
      const program = path.join(dir, 'shared-mimalloc');
      fs.writeFileSync(source, '#include <stdlib.h>\nint main(void) { free(malloc(16)); return 0; }\n');
      execFileSync('clang-19', ['-g', '-fprofile-generate', source, '-lmimalloc', '-o', program]);
      const json = await doctorJson([program]);
      const allocator = json.program?.findings.find((f) => f.check === 'allocator');
      assert.equal(allocator?.status, 'warn');
      assert.match(
        allocator?.finding ?? '',
        /mimalloc is in libmimalloc\.so\.2 \(mi_version resolves\) but none of its teardown does/,
      );
      assert.equal(json.program?.findings.find((f) => f.check === 'profile-write')?.status, 'ok');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("where ASLR cannot be disabled (as under Docker's seccomp profile): a warning that names --aslr on", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-doctor-'));
    try {
      const lldb = path.join(dir, 'lldb-seccomp');
      fs.writeFileSync(lldb, seccompLldb(), { mode: 0o755 });
      const run = await runCli(['doctor', '--lldb', lldb]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(
        run.stdout,
        /warn {2}launch: LLDB cannot launch with ASLR disabled here \(Cannot launch[\s\S]*personality[\s\S]*Operation not permitted\); with ASLR on it launched/,
      );
      assert.match(run.stdout, /what to do: capture with `--aslr on`/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an LLDB whose Python is broken: the script check FAILs with LLDB's own words, exit 1", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-doctor-'));
    try {
      const lldb = path.join(dir, 'lldb-no-python');
      fs.writeFileSync(lldb, '#!/bin/sh\nPYTHONHOME=/nonexistent exec lldb-19 "$@"\n', { mode: 0o755 });
      const run = await runCli(['doctor', '--lldb', lldb, fixture('no-pgo')]);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /^ {2}FAIL {2}python: the debug-exit script did not load in LLDB/m);
      assert.match(run.stdout, /ModuleNotFoundError: No module named 'encodings'/);
      assert.match(run.stdout, /what to do: LLDB needs its Python scripting: on Debian `apt install python3-lldb-19`/);
      assert.match(run.stdout, /^ {2}FAIL {2}program: not checked: the debug-exit script did not load/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('program missing: exit 2 with a clear message, before LLDB is looked for', async () => {
    const run = await runCli(['doctor', '--lldb', '/nonexistent/lldb', '/no/such/program']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /program not found: \/no\/such\/program/);
    assert.match(run.stderr, /debug-exit doctor \.\/app/);
    assert.equal(run.stdout, '');
  });

  it('program not executable: exit 2, as for a capture', async () => {
    const run = await runCli(['doctor', path.resolve(__dirname, '../../../README.md')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /not an executable file/);
  });

  it('--lldb /nonexistent: exit 1, as a capture, with a FAIL line saying what to do', async () => {
    const run = await runCli(['doctor', '--lldb', '/nonexistent', fixture('no-pgo')]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^ {2}FAIL {2}lldb: LLDB not found: \/nonexistent$/m);
    assert.match(
      run.stdout,
      /what to do: install it with `npm run setup` \(Debian: lldb-19\), or name it with `--lldb PATH`/,
    );
    assert.match(run.stdout, /the probes of .*no-pgo are not checked: that needs LLDB/);
    assert.match(run.stdout, /1 check\(s\) FAIL/);
  });

  it('leaves no temp folder behind', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-doctor-tmp-'));
    try {
      const run = await runCli(['doctor', fixture('allocator-first')], { env: { ...process.env, TMPDIR: tmp } });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(fs.readdirSync(tmp), []);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('Ctrl-C (SIGINT) mid-check: exit 1 saying so, LLDB killed, no temp folder left', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-doctor-int-'));
    try {
      const child = spawn(BIN, ['doctor', fixture('allocator-first')], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Wait until doctor has its temp folder (LLDB is running), then interrupt it.
      const deadline = Date.now() + 20000;
      while (fs.readdirSync(tmp).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(fs.readdirSync(tmp).length, 1, 'doctor made its temp folder');
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 1);
      assert.match(stderr, /doctor stopped before its checks were done/);
      assert.deepEqual(fs.readdirSync(tmp), []);
      assert.deepEqual(await survivors(tmp), [], 'no LLDB left running with the spec in its command line');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
