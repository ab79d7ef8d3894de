// The plain-JS scripts (bench/, scripts/) are outside the typecheck, and
// `npm run bench` is not part of the suite: a syntax error in one would only
// show when somebody runs it. `node --check` parses each without running it.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const scripts = ['bench', 'bench/workers', 'scripts'].flatMap((dir) =>
  readdirSync(join(root, dir)).filter((f) => f.endsWith('.mjs')).map((f) => join(dir, f)));

test('the .mjs scripts of bench/ and scripts/ parse', () => {
  expect(scripts.length).toBeGreaterThan(5);
  for (const file of scripts) {
    expect(() => execFileSync(process.execPath, ['--check', join(root, file)], { stdio: 'pipe' }), file).not.toThrow();
  }
});
