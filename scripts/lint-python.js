#!/usr/bin/env node
/**
 * ruff (its WASM build, from npm: no PyPI needed) over the Python in lldb-scripts/.
 *   node scripts/lint-python.js            lint; exit 1 with one line per finding
 *   node scripts/lint-python.js --format   rewrite the files as ruff format would
 *   node scripts/lint-python.js --check-format   exit 1 naming the files ruff format would change
 * The settings are ruff's (https://docs.astral.sh/ruff/settings), kept here.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs');

const ROOT = path.resolve(__dirname, '..');
const DIRS = ['lldb-scripts'];
const SETTINGS = {
  'line-length': 100,
  'indent-width': 4,
  'target-version': 'py39',
  format: { 'indent-style': 'space', 'quote-style': 'double' },
  // pyflakes, pycodestyle errors, imports sorted out of the way; bugbear's likely bugs.
  lint: { select: ['E4', 'E7', 'E9', 'F', 'B'] },
};

function pythonFiles() {
  return DIRS.flatMap((dir) => {
    const full = path.join(ROOT, dir);
    return fs.existsSync(full) ? walk(full) : [];
  }).sort();
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__pycache__' ? [] : walk(full);
    return entry.name.endsWith('.py') ? [full] : [];
  });
}

function main(argv) {
  const workspace = new Workspace(SETTINGS, PositionEncoding.Utf16);
  const mode = argv.includes('--format') ? 'format' : argv.includes('--check-format') ? 'check-format' : 'lint';
  let problems = 0;
  for (const file of pythonFiles()) {
    const source = fs.readFileSync(file, 'utf8');
    const name = path.relative(ROOT, file);
    if (mode === 'lint') {
      for (const d of workspace.check(source)) {
        problems++;
        process.stdout.write(
          `${name}:${d.start_location.row}:${d.start_location.column}: ${d.code ?? 'syntax'} ${d.message}\n`,
        );
      }
      continue;
    }
    const formatted = workspace.format(source);
    if (formatted === source) continue;
    if (mode === 'format') fs.writeFileSync(file, formatted);
    else {
      problems++;
      process.stdout.write(`${name}: not formatted (npm run format)\n`);
    }
  }
  if (problems > 0)
    process.stdout.write(`ruff ${Workspace.version()}: ${problems} finding${problems === 1 ? '' : 's'}\n`);
  return problems === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
