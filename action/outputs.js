#!/usr/bin/env node
// The action's outputs, read from debug-exit's JSON report (report@1, or repeat@1 for --repeat):
// `node outputs.js REPORT.json` prints `name=value` lines for $GITHUB_OUTPUT. A missing or
// unreadable report gives `none` for each, so later steps can still read them.
'use strict';
const fs = require('node:fs');

function tally(counts) {
  const runs = Object.values(counts).reduce((a, b) => a + b, 0);
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([value, n]) => `${value} ${n}/${runs}`)
    .join(', ');
}

function outputsOf(report) {
  if (report.schema === 'debug-exit/repeat@1') {
    const d = report.distribution || {};
    return {
      diagnosis: tally(d.diagnosis || {}),
      'allocator-cleanup-first': tally(d.allocator_cleanup_first || {}),
      'profile-output': d.profile_output ? tally(d.profile_output) : 'not-reported',
    };
  }
  const verdicts = report.verdicts || {};
  const profileOutput = verdicts.profile_output;
  return {
    diagnosis: (report.diagnosis && report.diagnosis.conclusion) || 'none',
    'allocator-cleanup-first': (verdicts.allocator_cleanup_first && verdicts.allocator_cleanup_first.result) || 'none',
    'profile-output': (profileOutput && profileOutput.result) || 'not-reported',
  };
}

const file = process.argv[2];
let outputs;
try {
  outputs = outputsOf(JSON.parse(fs.readFileSync(file, 'utf8')));
} catch {
  outputs = { diagnosis: 'none', 'allocator-cleanup-first': 'none', 'profile-output': 'none' };
}
// One line each: a value never carries a newline into $GITHUB_OUTPUT.
for (const [name, value] of Object.entries(outputs)) process.stdout.write(`${name}=${String(value).replace(/[\r\n]+/g, ' ')}\n`);
