// Builds the dual package: dist/cjs (require) and dist/esm (import), each with a
// package.json that pins its module type, so Node picks the right loader for each copy.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const [config, type] of [['tsconfig.cjs.json', 'commonjs'], ['tsconfig.esm.json', 'module']]) {
  execFileSync(tsc, ['-p', config], { cwd: root, stdio: 'inherit' });
  const out = join(root, 'dist', type === 'commonjs' ? 'cjs' : 'esm');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type }) + '\n');
}
