import { createRequire } from 'node:module';

declare const require: ((id: string) => unknown) | undefined;

/**
 * Resolves a package as the application does: `require` in the CommonJS build; in the ESM
 * build (no `require`), from the working directory, then from the entry script's folder.
 */
export function loader(): (id: string) => unknown {
  if (typeof require === 'function') return require;
  const bases = [`${process.cwd()}/`];
  if (typeof process.argv[1] === 'string' && process.argv[1] !== '') bases.push(process.argv[1]);
  return (id: string) => {
    let failure: unknown;
    for (const base of bases) {
      try {
        return createRequire(base)(id);
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  };
}
