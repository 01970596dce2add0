/**
 * The GitHub Action and the workflows. They cannot run here (no GitHub runner, no Mac): every one
 * is checked by a real validator (@action-validator/cli, GitHub's schemas for actions and
 * workflows), and their structure against what the action promises. The action's capture step
 * (action/capture.sh, with outputs.js) does run here, on Linux, with real LLDB, as the runner
 * would call it: inputs as environment variables, $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { fixturePath } from '../../src/fixtures/bundled';
import { BIN } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '../../..');
const VALIDATOR = path.join(ROOT, 'node_modules', '.bin', 'action-validator');

function validate(file: string): { status: number | null; output: string } {
  const run = spawnSync(VALIDATOR, [file], { encoding: 'utf8', timeout: 60000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}
interface Workflow {
  jobs: Record<
    string,
    { 'runs-on': string; strategy?: { matrix: Record<string, unknown> }; steps: Step[]; container?: unknown }
  >;
}

const load = <T>(file: string): T => yaml.load(fs.readFileSync(path.join(ROOT, file), 'utf8')) as T;

describe('action.yml and the workflows', function () {
  this.timeout(120000);

  for (const file of ['action.yml', '.github/workflows/ci.yml', '.github/workflows/macos.yml']) {
    it(`${file} passes the validator`, () => {
      const result = validate(path.join(ROOT, file));
      assert.equal(result.status, 0, result.output);
    });
  }

  it('the validator does reject a broken action (a composite run step without its shell)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-action-'));
    try {
      const broken = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8').replace(/\n {6}shell: bash\n/, '\n');
      fs.writeFileSync(path.join(dir, 'action.yml'), broken);
      const result = validate(path.join(dir, 'action.yml'));
      assert.notEqual(result.status, 0);
      assert.match(result.output, /shell/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the action has the inputs and outputs it promises, and its steps in order', () => {
    const action = load<Action>('action.yml');
    for (const input of ['program', 'args', 'env', 'expect', 'experiment', 'repeat', 'lldb', 'profile-dir', 'inspect'])
      assert.ok(action.inputs[input], `input ${input}`);
    assert.equal(action.inputs.program.required, true);
    assert.deepEqual(Object.keys(action.outputs), [
      'diagnosis',
      'allocator-cleanup-first',
      'profile-output',
      'report-json',
    ]);
    for (const output of Object.values(action.outputs))
      assert.match(output.value, /^\$\{\{ steps\.capture\.outputs\.[a-z-]+ \}\}$/);
    assert.equal(action.runs.using, 'composite');
    const steps = action.runs.steps;
    const index = (test: (s: Step) => boolean, what: string) => {
      const i = steps.findIndex(test);
      assert.ok(i >= 0, what);
      return i;
    };
    const order = [
      index((s) => s.uses?.startsWith('actions/setup-node@') === true, 'set up Node'),
      index(
        (s) =>
          /github\.action_path/.test(JSON.stringify(s)) &&
          /npm pack/.test(s.run ?? '') &&
          /npm install -g --prefix/.test(s.run ?? ''),
        'install from the action checkout',
      ),
      index(
        (s) => s.uses?.startsWith('actions/cache@') === true && s.with?.path === '~/.cache/debug-exit/lldb',
        "restore debug-exit's LLDB cache (session/lldb-cache.ts)",
      ),
      index((s) => /debug-exit doctor/.test(s.run ?? ''), 'doctor'),
      index((s) => s.id === 'capture' && /action\/capture\.sh/.test(s.run ?? ''), 'capture'),
      index((s) => s.uses?.startsWith('actions/upload-artifact@') === true, 'upload'),
      index((s) => /DX_STATUS/.test(s.run ?? ''), 'gate'),
    ];
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
    assert.match(fs.readFileSync(path.join(ROOT, 'action', 'capture.sh'), 'utf8'), /argv=\(capture --summary /);
    const inspect = steps.find((s) => /debug-exit inspect/.test(s.run ?? ''));
    assert.equal(inspect?.if, "inputs.inspect == 'true'");
    // Inputs reach the scripts only as environment variables, never spliced into a script's text.
    for (const step of steps)
      assert.doesNotMatch(step.run ?? '', /\$\{\{\s*inputs\./, `${step.name}: an input spliced into its script`);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    assert.match(upload.if ?? '', /always\(\)/);
  });

  it('ci.yml runs .ci/run on ubuntu; macos.yml uses the action on macos-14 and macos-15 on programs built on the runner', () => {
    const ci = load<Workflow>('.github/workflows/ci.yml');
    const linux = Object.values(ci.jobs)[0];
    assert.match(linux['runs-on'], /^ubuntu-/);
    assert.ok(linux.steps.some((s) => /\.ci\/run/.test(s.run ?? '')));
    const macos = load<Workflow>('.github/workflows/macos.yml');
    const job = Object.values(macos.jobs)[0];
    const matrix = job.strategy!.matrix as { os: string[]; case: string[] };
    assert.deepEqual(matrix.os, ['macos-14', 'macos-15']);
    assert.ok(
      job.steps.some((s) => s.uses === './'),
      'the action of this repository',
    );
    const built = [
      ...fs.readFileSync(path.join(ROOT, '.github/macos/build-c.sh'), 'utf8').matchAll(/-o "\$out\/([a-z-]+)"/g),
      ...fs
        .readFileSync(path.join(ROOT, 'test/fixtures/rust-pgo/build.sh'), 'utf8')
        .matchAll(/-o "\$out\/(rust-pgo-c)-\$variant"/g),
    ].map((m) => m[1]);
    for (const name of matrix.case)
      assert.ok(
        built.some((b) => name === b || name.startsWith(`${b}-`)),
        `${name} is built by a script the workflow runs`,
      );
  });
});

describe("the action's capture step, run here as the runner runs it", function () {
  this.timeout(300000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-action-run-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function runStep(
    name: string,
    inputs: Record<string, string>,
  ): { outputs: Record<string, string>; out: string; summary: string; stdout: string; status: number | null } {
    const out = path.join(dir, name);
    const githubOutput = path.join(dir, `${name}.output`);
    const summary = path.join(dir, `${name}.summary.md`);
    const run = spawnSync('bash', [path.join(ROOT, 'action', 'capture.sh')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 240000,
      env: {
        ...process.env,
        ...inputs,
        DX_OUT: out,
        DX_BIN: BIN,
        GITHUB_OUTPUT: githubOutput,
        GITHUB_STEP_SUMMARY: summary,
      },
    });
    const outputs = Object.fromEntries(
      fs
        .readFileSync(githubOutput, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    return {
      outputs,
      out,
      summary: fs.readFileSync(summary, 'utf8'),
      stdout: run.stdout + run.stderr,
      status: run.status,
    };
  }

  it('sets the outputs from the report, writes the summary, the JSON and HTML reports and the recording; a differing expect gives exit-code 3', () => {
    const step = runStep('destroy', {
      DX_PROGRAM: fixturePath('allocator-first'),
      DX_ENV: 'MIMALLOC_DESTROY_ON_EXIT=1\n',
      DX_EXPECT: 'refuted',
    });
    assert.equal(step.status, 0, 'the step itself succeeds: the gate comes after the upload');
    assert.equal(step.outputs['exit-code'], '3', step.stdout);
    assert.equal(step.outputs.diagnosis, 'allocator-cleanup-first');
    assert.equal(step.outputs['allocator-cleanup-first'], 'confirmed');
    assert.ok(step.outputs['profile-output'] !== undefined && step.outputs['profile-output'] !== '');
    assert.equal(step.outputs['report-json'], path.join(step.out, 'report.json'));
    const report = JSON.parse(fs.readFileSync(step.outputs['report-json'], 'utf8'));
    assert.equal(report.diagnosis.conclusion, step.outputs.diagnosis);
    for (const file of ['report.json', 'report.html', 'report.txt', 'session.cast'])
      assert.ok(fs.statSync(path.join(step.out, file)).size > 0, file);
    assert.match(fs.readFileSync(path.join(step.out, 'report.html'), 'utf8'), /AsciinemaPlayer\.create/);
    assert.match(step.summary, /^# debug-exit report\n\n## Diagnosis: allocator-cleanup-first\n/);
  });

  it('passes arguments one a line, byte for byte, and keeps the raw profiles in profile-dir', () => {
    const profiles = path.join(dir, 'profiles');
    fs.mkdirSync(profiles);
    fs.writeFileSync(path.join(profiles, 'stale.profraw'), 'stale');
    const step = runStep('plain', {
      DX_PROGRAM: fixturePath('profile-first'),
      DX_ARGS: 'two words\n$(touch pwned)\n',
      DX_EXPECT: 'refuted',
      DX_PROFILE_DIR: profiles,
    });
    assert.equal(step.outputs['exit-code'], '0', step.stdout);
    const report = JSON.parse(fs.readFileSync(step.outputs['report-json'], 'utf8'));
    assert.deepEqual(report.target.args, ['two words', '$(touch pwned)']);
    assert.ok(!fs.existsSync(path.join(dir, 'pwned')));
    const written = fs.readdirSync(profiles);
    assert.ok(!written.includes('stale.profraw'), 'profile-dir is emptied first');
    assert.equal(written.filter((f) => f.endsWith('.profraw')).length, 1, written.join(', '));
  });
});
