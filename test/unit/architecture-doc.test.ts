/** docs/ARCHITECTURE.md is where the code's pointers lead: every section they name exists, and no pointer leaves the repository. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
const HEADINGS = new Set([...DOC.matchAll(/^#+ (.+)$/gm)].map((m) => m[1].trim()));

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__pycache__' ? [] : sources(rel);
    return /\.(ts|js|py|sh)$/.test(entry.name) ? [rel] : [];
  });
}

const FILES = ['src', 'lldb-scripts', 'test', 'scripts', 'bench'].flatMap(sources);

describe('docs/ARCHITECTURE.md', () => {
  it('has the layers, the contract, the way of an event, and a recipe for a probe, a verdict, a renderer, a command', () => {
    for (const heading of [
      'Layers',
      'The contract',
      'How an event travels, from a breakpoint callback to a rendered line',
      'Recipes',
      'Add a probe',
      'Add a verdict',
      'Add a renderer',
      'Add a command or an option',
    ]) {
      assert.ok(HEADINGS.has(heading), heading);
    }
  });

  it('every section a source file points to exists', () => {
    let pointers = 0;
    for (const file of FILES) {
      for (const match of fs
        .readFileSync(path.join(ROOT, file), 'utf8')
        .matchAll(/docs\/ARCHITECTURE\.md, "([^"]+)"/g)) {
        pointers++;
        assert.ok(HEADINGS.has(match[1]), `${file}: no section "${match[1]}"`);
      }
    }
    assert.ok(pointers >= 10, `${pointers} pointers`);
  });

  it('no source file points to a design document outside the repository', () => {
    const outside = `DESIGN${'.md'}`;
    assert.deepEqual(
      FILES.filter((file) => fs.readFileSync(path.join(ROOT, file), 'utf8').includes(outside)),
      [],
    );
  });
});
