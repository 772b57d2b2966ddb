import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { INFRA_DIR } from './checks/infra-copy.js';
import { parseYaml, readYaml } from './checks/yaml-file.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name.startsWith('.') ? [] : yamlFiles(join(dir, e.name));
    return /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [];
  });
}

describe('infra YAML files', () => {
  const files = yamlFiles(INFRA_DIR);

  it('finds the compose file, the collector, Tempo and Grafana configs', () => {
    expect(files.map((f) => relative(INFRA_DIR, f)).sort()).toEqual(
      expect.arrayContaining([
        'docker-compose.yml',
        'grafana/provisioning/datasources/tempo.yaml',
        'otel-collector/config.yaml',
        'tempo/tempo.yaml',
      ]),
    );
  });

  it.each(files.map((f) => [relative(INFRA_DIR, f), f]))('%s parses as one YAML mapping, without warnings', (_name, file) => {
    expect(readYaml(file).problems).toEqual([]);
  });

  describe('the parser used above reports', () => {
    it.each([
      ['a duplicate key', 'a: 1\na: 2\n', /unique/],
      ['tab indentation', 'a:\n\t- x\n', /Tabs/],
      ['an unclosed flow list', 'a: [1\n', /Flow sequence/],
      ['an alias to a missing anchor', 'a: *nope\n', /nope/],
      ['two documents in one file', 'a: 1\n---\nb: 2\n', /exactly one YAML document/],
      ['a scalar instead of a mapping', 'just text\n', /not a mapping/],
    ])('%s', (_what, text, message) => {
      const problems = parseYaml(text, 'snippet').problems;
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });
  });
});
