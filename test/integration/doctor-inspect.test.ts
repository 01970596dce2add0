/**
 * `doctor PROGRAM` carries inspect's verdict in one finding (`profile-data`), for ELF and for a
 * Mach-O arm64 program (LLDB on Linux opens it; it is not run), text and JSON.
 */
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { inspectFixture } from '../helpers/inspect-fixtures';

interface Finding {
  check: string;
  status: string;
  finding: string;
  hint?: string;
}

async function profileData(
  program: string,
): Promise<{ code: number | null; finding: Finding | undefined; findings: Finding[] }> {
  const run = await runCli(['doctor', '--format', 'json', program]);
  const json = JSON.parse(run.stdout) as { program: { findings: Finding[] } | null };
  const findings = json.program?.findings ?? [];
  return { code: run.code, finding: findings.find((f) => f.check === 'profile-data'), findings };
}

describe('doctor PROGRAM: the inspect verdict', function () {
  this.timeout(120000);

  it('mixed-profile-versions: one warn line naming mixed-lib-old.c and the older clang, the fix as what to do', async () => {
    const { code, finding, findings } = await profileData(fixture('mixed-profile-versions'));
    assert.equal(code, 0, 'a warning does not fail doctor');
    assert.equal(findings.filter((f) => f.check === 'profile-data').length, 1);
    assert.equal(finding?.status, 'warn');
    assert.match(
      finding?.finding ?? '',
      /^inspect: MIXED: mixed-lib-old\.c built by clang 1[4-8] \(raw version [89]\) in a raw-version-10 program/,
    );
    assert.match(finding?.hint ?? '', /-fno-profile-generate/);
  });

  it('profile-first: ok, consistent', async () => {
    const { finding } = await profileData(fixture('profile-first'));
    assert.deepEqual(
      [finding?.status, finding?.finding],
      ['ok', 'inspect: consistent: every profile record has the raw version 10 layout'],
    );
  });

  it('Mach-O arm64 macho-mixed: the same line, as text too', async () => {
    const { finding } = await profileData(inspectFixture('macho-mixed'));
    assert.equal(finding?.status, 'warn');
    assert.match(finding?.finding ?? '', /^inspect: MIXED: macho-lib\.c built by clang 1[4-8]/);
    const text = await runCli(['doctor', inspectFixture('macho-clean')]);
    assert.match(text.stdout, /^ {2}ok {4}profile-data: inspect: consistent/m);
  });
});
