import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Every ```ts block in README.md must compile against the library as users import it
// (`nestjs-tracing`, `nestjs-tracing/testing`). Each block becomes one module file; a block
// that starts with `// not compiled:` is shown as prose only (shell-like or partial code).
const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => !code.startsWith('// not compiled:'));

describe('README.md code', () => {
  it('has TypeScript snippets to check', () => {
    expect(blocks.length).toBeGreaterThan(5);
  });

  it('typechecks every TypeScript snippet', () => {
    const dir = join(root, '.tmp', 'readme-snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    blocks.forEach((code, i) => writeFileSync(join(dir, `snippet-${String(i + 1).padStart(2, '0')}.ts`), `${code}\nexport {};\n`));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.json',
        compilerOptions: { noEmit: true, noUnusedLocals: false, types: ['node', 'jest'] },
        include: ['./*.ts'],
      }),
    );
    let output = '';
    try {
      execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe('');
  }, 60000);
});
