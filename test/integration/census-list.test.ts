/**
 * --census reads the C library's exit handler list once, at the first exit() call; --census=stops
 * stops at every registration. On real LLDB and glibc (with libc6-dbg), both must give the same
 * registrations, entry for entry, in the same order.
 */
import assert from 'node:assert/strict';
import { fixturePath } from '../../src/fixtures/bundled';
import { runCli } from '../helpers/cli';

interface Registration {
  seq: number;
  via: string;
  kind: string;
  registered: { address: string; symbol: string; module: string } | null;
  registered_by: unknown;
  arg?: string;
  dso_handle?: string;
  dso_module?: string;
}

interface CensusReport {
  census: boolean;
  census_mode: string | null;
  census_note: string | null;
  registrations: Registration[];
  events: Array<{ kind: string; role?: string; symbol?: string; status?: string; count?: number }>;
}

async function census(mode: '--census' | '--census=stops', program: string, args: string[]): Promise<CensusReport> {
  const run = await runCli(
    ['capture', '--quiet', '--no-record', '--format', 'json', '--timeout', '170', mode, '--', program, ...args],
    { timeoutMs: 200000 },
  );
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as CensusReport;
}

/** What both modes must agree on: the function registered, where it is, in registration order. */
const functions = (report: CensusReport) => report.registrations.map((r) => r.registered);

describe('census: the exit handler list read once at exit() (real LLDB, glibc with libc6-dbg)', function () {
  this.timeout(240000);

  it('many-handlers (1,000 handlers, 32 blocks): the list gives the registrations of --census=stops, entry for entry', async () => {
    const [list, stops] = [
      await census('--census', fixturePath('many-handlers'), ['1000']),
      await census('--census=stops', fixturePath('many-handlers'), ['1000']),
    ];
    assert.equal(list.census_mode, 'list', list.census_note ?? '');
    assert.equal(stops.census_mode, 'stops');
    assert.equal(list.census_note, null);
    assert.equal(list.registrations.filter((r) => r.registered?.symbol === 'count_handler').length, 1000);
    assert.deepEqual(functions(list), functions(stops));
    assert.deepEqual(
      list.registrations.map((r) => r.kind),
      stops.registrations.map((r) => r.kind),
    );
    // One stop for the list: no atexit-register hit after main, where the 1,000 registrations are.
    const mainSeq = list.events.findIndex((e) => e.kind === 'hit' && e.role === 'main');
    assert.equal(list.events.slice(mainSeq).filter((e) => e.kind === 'hit' && e.role === 'atexit-register').length, 0);
    assert.ok(stops.events.filter((e) => e.kind === 'hit' && e.role === 'atexit-register').length >= 1000);
    const read = list.events.find((e) => e.kind === 'census');
    assert.equal(read?.status, 'read');
    assert.equal(read?.count, list.registrations.length);
  });

  it('cxa-handlers: __cxa_atexit entries with their argument and module, one from a shared library, equal to --census=stops', async () => {
    const program = fixturePath('cxa-handlers');
    const [list, stops] = [await census('--census', program, []), await census('--census=stops', program, [])];
    assert.equal(list.census_mode, 'list', list.census_note ?? '');
    assert.deepEqual(functions(list), functions(stops));
    const bySymbol = (name: string) => list.registrations.find((r) => r.registered?.symbol === name);
    const lib = bySymbol('lib_handler');
    const main = bySymbol('main_cxa_handler');
    const plain = bySymbol('main_atexit_handler');
    assert.ok(lib && main && plain, JSON.stringify(functions(list)));
    assert.equal(lib.via, '__cxa_atexit');
    assert.equal(lib.registered?.module, 'libdxcxa.so');
    assert.equal(lib.dso_module, 'libdxcxa.so');
    assert.equal(main.dso_module, 'cxa-handlers');
    assert.match(lib.arg ?? '', /^0x[0-9a-f]+$/);
    assert.match(main.arg ?? '', /^0x[0-9a-f]+$/);
    assert.notEqual(lib.arg, main.arg);
    // atexit(f) is __cxa_atexit(f, NULL, __dso_handle) in glibc: no argument, the program's dso.
    assert.equal(plain.arg, '0x0');
    assert.equal(plain.dso_module, 'cxa-handlers');
    // Registration order: the library's constructor, then main's two calls.
    const order = list.registrations.map((r) => r.registered?.symbol);
    assert.ok(order.indexOf('lib_handler') < order.indexOf('main_cxa_handler'));
    assert.ok(order.indexOf('main_cxa_handler') < order.indexOf('main_atexit_handler'));
  });
});
