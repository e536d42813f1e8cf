import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// The product tree keeps its formatter and linter clean: Prettier's formatting, typescript-eslint's
// type-aware rules, functions of at most 60 lines, no one-letter names, lines of at most 140
// characters (test/tools/eslint.config.mjs). `npm run format` fixes the formatting.

function run(bin: string, args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

test('src/ is formatted as Prettier formats it', () => {
  const r = run('node_modules/prettier/bin/prettier.cjs', ['--check', 'src', 'test/tools/eslint.config.mjs']);
  assert.equal(r.status, 0, `prettier --check:\n${r.stdout}${r.stderr}`);
});

test('src/ passes ESLint with the type-aware rules', () => {
  const r = run('node_modules/eslint/bin/eslint.js', ['-c', 'test/tools/eslint.config.mjs', 'src']);
  assert.equal(r.status, 0, `eslint:\n${r.stdout}${r.stderr}`);
});
