import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository's infra/ directory. */
export const INFRA_DIR = resolve(__dirname, '..', '..', '..', 'infra');
/** The repository root. */
export const REPO_ROOT = resolve(INFRA_DIR, '..');

/** A text edit applied to one file of a copy: `[from, to]` must match, or the test is void. */
export type Edit = [from: string | RegExp, to: string];

const copies: string[] = [];

/**
 * A scratch copy of infra/ with some files edited, so a checker can be shown to FAIL on a
 * broken stack. An edit that does not change its file throws: a negative test whose "break"
 * silently did nothing would pass for the wrong reason. Remove copies with {@link removeCopies}.
 */
export function brokenInfra(edits: Record<string, Edit[]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'infra-check-'));
  copies.push(dir);
  cpSync(INFRA_DIR, join(dir, 'infra'), {
    recursive: true,
    filter: (src) => !src.includes(`${join('terraform', '.terraform')}`),
  });
  for (const [file, list] of Object.entries(edits)) {
    const path = join(dir, 'infra', file);
    let text = readFileSync(path, 'utf8');
    for (const [from, to] of list) {
      const next = text.replace(from, to);
      if (next === text) throw new Error(`edit of ${file} changed nothing: ${String(from)} not found`);
      text = next;
    }
    writeFileSync(path, text);
  }
  return join(dir, 'infra');
}

/** Deletes every scratch copy made by {@link brokenInfra}. */
export function removeCopies(): void {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
}
