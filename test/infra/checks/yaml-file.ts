import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/** The parsed document of one YAML file, or the parser's complaints (never throws). */
export interface YamlResult {
  value: unknown;
  problems: string[];
}

/**
 * Parses YAML text strictly: every error or warning the parser reports (bad indentation,
 * duplicate keys, tabs, unresolved aliases) is a problem, and so is a file holding more or
 * fewer than one document.
 */
export function parseYaml(text: string, label: string): YamlResult {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const problems: string[] = [];
  if (!Array.isArray(docs)) return { value: undefined, problems: [`${label}: not parsed as YAML documents`] };
  if (docs.length !== 1) problems.push(`${label}: expected exactly one YAML document, found ${docs.length}`);
  for (const doc of docs) {
    for (const e of [...doc.errors, ...doc.warnings]) problems.push(`${label}: ${e.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    value = docs[0]?.toJS({ maxAliasCount: 100 });
  } catch (e) {
    problems.push(`${label}: ${(e as Error).message}`); // e.g. an alias to an anchor that does not exist
  }
  if (problems.length === 0 && (value === null || typeof value !== 'object')) {
    problems.push(`${label}: top level is not a mapping`);
  }
  return { value, problems };
}

/** Reads and parses a YAML file; see {@link parseYaml}. */
export function readYaml(path: string, label = path): YamlResult {
  return parseYaml(readFileSync(path, 'utf8'), label);
}

/** A plain object (a YAML mapping), as opposed to a list, scalar or null. */
export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
