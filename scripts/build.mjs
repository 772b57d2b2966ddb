// Builds the dual package: dist/cjs (require) and dist/esm (import), each with a
// package.json that pins its module type, so Node picks the right loader for each copy.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
// BUILD_OUT_DIR: build elsewhere than ./dist (the packaging test stages a package without
// touching the repo's dist/, which other suites use).
const dist = process.env.BUILD_OUT_DIR ?? join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
for (const [config, type] of [['tsconfig.cjs.json', 'commonjs'], ['tsconfig.esm.json', 'module']]) {
  const out = join(dist, type === 'commonjs' ? 'cjs' : 'esm');
  execFileSync(tsc, ['-p', config, '--outDir', out], { cwd: root, stdio: 'inherit' });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type }) + '\n');
}
