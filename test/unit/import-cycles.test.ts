/** src/ has no import cycle, type-only imports included: each layer imports only the ones below it. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { importCycles, importGraph } from '../helpers/import-graph';

const SRC = path.resolve(__dirname, '../../../src');

describe('import graph of src/', () => {
  it('reads the imports of every source file', () => {
    const graph = importGraph(SRC);
    assert.ok(graph.size > 50, `only ${graph.size} files`);
    assert.ok(
      graph.get(path.join('cli', 'main.ts'))?.includes(path.join('cli', 'args.ts')),
      'cli/main.ts imports cli/args.ts',
    );
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
      ['e.ts', ['e.ts']],
    ]);
    assert.deepEqual(importCycles(graph), [['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  });

  it('has no import cycle', () => {
    const cycles = importCycles(importGraph(SRC));
    assert.deepEqual(cycles, [], cycles.map((c) => c.join(' <-> ')).join('\n'));
  });

  it('src/contract/ imports nothing from outside itself (it is the bottom layer)', () => {
    const dir = path.join(SRC, 'contract');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.includes('events.ts') && files.includes('spec.ts'), files.join(', '));
    for (const file of files) {
      const imports = ts
        .preProcessFile(fs.readFileSync(path.join(dir, file), 'utf8'), true, true)
        .importedFiles.map((f) => f.fileName);
      for (const name of imports) assert.match(name, /^\.\/[\w-]+$/, `${file} imports ${name}`);
    }
  });
});
