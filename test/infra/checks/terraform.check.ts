import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getReferencesInExpression, parse } from '@cdktf/hcl2json';

/**
 * Offline checks of a Terraform root module, without the terraform binary: every .tf file
 * parses as HCL (HashiCorp's own parser, compiled to wasm in @cdktf/hcl2json), and every
 * reference resolves: var.X to a declared variable, local.X to a defined local, data.T.N and
 * T.N to declared blocks (with [index] exactly when the block has `count`), each/count only
 * where the block sets for_each/count. Plus: required outputs and variables exist, files read
 * with file() exist, no variable, local or data source is declared and never used, and no
 * credentials are in the files.
 */

type Json = Record<string, any>;

interface Reference {
  ref: string;
  file: string;
  /** `resource.aws_x.name`, `variable.name`, `output.name`, `locals`, ... */
  owner: string;
}

/** The merged declarations of a module directory, for checks across files. */
export interface TerraformModel {
  files: Record<string, Json>;
  variables: Map<string, Json>;
  locals: Map<string, unknown>;
  resources: Map<string, Json>;
  data: Map<string, Json>;
  outputs: Map<string, Json>;
  modules: Set<string>;
  references: Reference[];
  /** Every string in every file (expressions included), for pattern checks. */
  strings: { file: string; owner: string; value: string }[];
}

/** What a module must offer, beyond being internally consistent. */
export interface TerraformRequirements {
  files?: string[];
  variables?: string[];
  outputs?: string[];
}

const IGNORED_ROOTS = new Set(['path', 'terraform', 'self', 'each', 'count']);

// Both parser calls are pure, and the negative tests re-check copies that differ in one line:
// memoising by text keeps the whole suite within a few seconds.
const parsed = new Map<string, Promise<Json>>();
const referenced = new Map<string, Promise<{ value: string }[]>>();
const parseHcl = (file: string, text: string): Promise<Json> => {
  const key = `${file}\0${text}`;
  if (!parsed.has(key)) parsed.set(key, parse(file, text));
  return parsed.get(key)!;
};
const referencesIn = (file: string, expression: string): Promise<{ value: string }[]> => {
  if (!referenced.has(expression)) referenced.set(expression, getReferencesInExpression(file, expression));
  return referenced.get(expression)!;
};

/** Parses every .tf file in `dir` and indexes declarations and references. */
export async function loadTerraform(dir: string): Promise<{ model: TerraformModel; problems: string[] }> {
  const problems: string[] = [];
  const model: TerraformModel = {
    files: {}, variables: new Map(), locals: new Map(), resources: new Map(), data: new Map(),
    outputs: new Map(), modules: new Set(), references: [], strings: [],
  };
  const names = readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
  if (names.length === 0) problems.push(`${dir}: no .tf files`);
  for (const file of names) {
    try {
      model.files[file] = structuredClone(await parseHcl(file, readFileSync(join(dir, file), 'utf8')));
    } catch (e) {
      problems.push(`${file}: does not parse as HCL: ${(e as Error).message}`);
    }
  }
  const declare = <T>(map: Map<string, T>, key: string, value: T, file: string, what: string) => {
    if (map.has(key)) problems.push(`${file}: ${what} "${key}" is declared twice`);
    map.set(key, value);
  };
  for (const [file, json] of Object.entries(model.files)) {
    for (const [name, blocks] of Object.entries<Json[]>(json.variable ?? {})) declare(model.variables, name, blocks[0], file, 'variable');
    for (const block of (json.locals ?? []) as Json[]) for (const [name, v] of Object.entries(block)) declare(model.locals, name, v, file, 'local');
    for (const [type, byName] of Object.entries<Json>(json.resource ?? {})) {
      for (const [name, blocks] of Object.entries<Json[]>(byName)) declare(model.resources, `${type}.${name}`, blocks[0], file, 'resource');
    }
    for (const [type, byName] of Object.entries<Json>(json.data ?? {})) {
      for (const [name, blocks] of Object.entries<Json[]>(byName)) declare(model.data, `${type}.${name}`, blocks[0], file, 'data source');
    }
    for (const [name, blocks] of Object.entries<Json[]>(json.output ?? {})) declare(model.outputs, name, blocks[0], file, 'output');
    for (const name of Object.keys(json.module ?? {})) model.modules.add(name);

    for (const [owner, body] of ownedBlocks(json)) {
      for (const value of strings(body)) {
        model.strings.push({ file, owner, value });
        if (!value.includes('${')) continue;
        try {
          for (const r of await referencesIn(file, value)) model.references.push({ ref: r.value, file, owner });
        } catch (e) {
          problems.push(`${file} (${owner}): expression does not parse: ${(e as Error).message}`);
        }
      }
    }
  }
  return { model, problems };
}

/** Loads and checks a module directory; returns problems, [] when it is consistent. */
export async function checkTerraform(dir: string, required: TerraformRequirements = {}): Promise<string[]> {
  const { model, problems } = await loadTerraform(dir);
  return [...problems, ...checkModel(model, dir, required)];
}

/** The checks on an already loaded model (see {@link checkTerraform}). */
export function checkModel(model: TerraformModel, dir: string, required: TerraformRequirements = {}): string[] {
  const problems: string[] = [];
  const usedVariables = new Set<string>();
  const usedLocals = new Set<string>();
  const usedData = new Set<string>();

  for (const { ref, file, owner } of model.references) {
    const segs = ref.split('.');
    const at = `${file} (${owner})`;
    const [root] = segs;
    if (root === 'var') {
      if (!model.variables.has(segs[1])) problems.push(`${at}: var.${segs[1]} is not declared in variables.tf`);
      if (owner !== `variable.${segs[1]}`) usedVariables.add(segs[1]);
    } else if (root === 'local') {
      if (!model.locals.has(segs[1])) problems.push(`${at}: local.${segs[1]} is not defined in any locals block`);
      if (owner !== `locals.${segs[1]}`) usedLocals.add(segs[1]);
    } else if (root === 'data') {
      if (!model.data.has(`${segs[1]}.${segs[2]}`)) problems.push(`${at}: data.${segs[1]}.${segs[2]} is not declared`);
      if (owner !== `data.${segs[1]}.${segs[2]}`) usedData.add(`${segs[1]}.${segs[2]}`);
    } else if (root === 'module') {
      if (!model.modules.has(segs[1])) problems.push(`${at}: module.${segs[1]} is not declared`);
    } else if (root === 'each' || root === 'count') {
      const block = blockOf(model, owner);
      const needs = root === 'each' ? 'for_each' : 'count';
      if (block && block[needs] === undefined) problems.push(`${at}: uses ${root}.${segs[1]} but the block has no ${needs}`);
    } else if (!IGNORED_ROOTS.has(root) && (root.startsWith('aws_') || [...model.resources.keys()].some((k) => k.startsWith(`${root}.`)))) {
      const key = `${root}.${segs[1]}`;
      const block = model.resources.get(key);
      if (!block) {
        problems.push(`${at}: ${key} is not a declared resource`);
        continue;
      }
      const indexed = segs.length > 2 && /^\d+$/.test(segs[2]);
      if (block.count !== undefined && segs.length > 2 && !indexed) problems.push(`${at}: ${key} has count; refer to it as ${key}[0]`);
      if (block.count === undefined && indexed) problems.push(`${at}: ${key} has no count, so ${key}[${segs[2]}] does not exist`);
    }
  }

  for (const [name, v] of model.variables) {
    if (typeof v.description !== 'string' || v.description === '') problems.push(`variable "${name}": needs a description`);
    if (v.type === undefined) problems.push(`variable "${name}": needs a type`);
    if (!usedVariables.has(name)) problems.push(`variable "${name}": declared but never used`);
    if (/(password|secret|token|access_key)/i.test(name) && typeof v.default === 'string' && v.default !== '') {
      problems.push(`variable "${name}": a secret must not have a default in the repository`);
    }
  }
  for (const name of model.locals.keys()) if (!usedLocals.has(name)) problems.push(`local "${name}": defined but never used`);
  for (const key of model.data.keys()) if (!usedData.has(key)) problems.push(`data.${key}: declared but never used (an extra API call at every plan)`);
  for (const [name, o] of model.outputs) {
    if (o.value === undefined) problems.push(`output "${name}": has no value`);
    if (typeof o.description !== 'string') problems.push(`output "${name}": needs a description`);
  }

  for (const f of required.files ?? []) if (!existsSync(join(dir, f))) problems.push(`${f}: missing`);
  for (const v of required.variables ?? []) if (!model.variables.has(v)) problems.push(`variable "${v}": required but not declared`);
  for (const o of required.outputs ?? []) if (!model.outputs.has(o)) problems.push(`output "${o}": required but not declared`);

  const versions = Object.values(model.files).flatMap((j) => (j.terraform ?? []) as Json[]);
  const aws = versions.flatMap((t) => (t.required_providers ?? []) as Json[]).map((p) => p.aws).find(Boolean);
  if (!aws || typeof aws.version !== 'string') problems.push('terraform.required_providers.aws: pin a version constraint');

  // Files read by file()/templatefile() must exist (paths relative to the module).
  for (const { file, value } of model.strings) {
    for (const m of value.matchAll(/\b(?:file|templatefile|filebase64|filesha256)\("\$\{path\.module\}\/([^"]+)"/g)) {
      if (!existsSync(resolve(dir, m[1]))) problems.push(`${file}: reads ${m[1]}, which does not exist`);
    }
  }

  // No credentials in files: roles only.
  for (const [file, json] of Object.entries(model.files)) {
    for (const [name, blocks] of Object.entries<Json[]>(json.provider ?? {})) {
      for (const key of ['access_key', 'secret_key', 'token']) {
        if (blocks.some((b) => b[key] !== undefined)) problems.push(`${file}: provider "${name}" sets ${key}; use the environment's credentials or a role`);
      }
    }
  }
  for (const { file, value } of model.strings) {
    if (/\b(AKIA|ASIA)[0-9A-Z]{16}\b/.test(value)) problems.push(`${file}: contains what looks like an AWS access key id`);
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) problems.push(`${file}: contains a private key`);
  }
  for (const key of model.resources.keys()) {
    if (/^aws_iam_(access_key|user_login_profile)\./.test(key)) problems.push(`${key}: creates long-lived credentials; use task roles`);
  }
  return problems;
}

/** Top-level blocks with an owner label, so references can be attributed. */
function* ownedBlocks(json: Json): Generator<[string, unknown]> {
  for (const [name, blocks] of Object.entries<Json[]>(json.variable ?? {})) yield [`variable.${name}`, blocks];
  for (const block of (json.locals ?? []) as Json[]) for (const [name, v] of Object.entries(block)) yield [`locals.${name}`, v];
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries<Json>(json[kind] ?? {})) {
      for (const [name, blocks] of Object.entries(byName)) yield [`${kind}.${type}.${name}`, blocks];
    }
  }
  for (const kind of ['output', 'module', 'provider'] as const) {
    for (const [name, blocks] of Object.entries(json[kind] ?? {})) yield [`${kind}.${name}`, blocks];
  }
  for (const t of json.terraform ?? []) yield ['terraform', t];
}

function blockOf(model: TerraformModel, owner: string): Json | undefined {
  const [kind, type, name] = owner.split('.');
  if (kind === 'resource') return model.resources.get(`${type}.${name}`);
  if (kind === 'data') return model.data.get(`${type}.${name}`);
  return undefined;
}

function* strings(v: unknown): Generator<string> {
  if (typeof v === 'string') yield v;
  else if (Array.isArray(v)) for (const x of v) yield* strings(x);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) yield* strings(x);
}
