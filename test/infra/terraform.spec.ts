import { join } from 'node:path';
import { collectorEnvReferences, collectorListeners } from './checks/collector-config.check.js';
import { brokenInfra, INFRA_DIR, removeCopies } from './checks/infra-copy.js';
import { tempoFacts } from './checks/tempo-config.check.js';
import { checkModel, checkTerraform, loadTerraform, type TerraformModel } from './checks/terraform.check.js';
import { readYaml } from './checks/yaml-file.js';

const TF = 'terraform';
const REQUIRED = {
  files: ['versions.tf', 'variables.tf', 'outputs.tf'],
  variables: [
    'vpc_id', 'private_subnet_ids', 'allowed_cidr_blocks', 'collector_image', 'tempo_image',
    'collector_cpu', 'collector_memory', 'tempo_cpu', 'tempo_memory', 'collector_desired_count', 'tempo_desired_count',
  ],
  outputs: ['otlp_http_endpoint', 'otlp_grpc_endpoint'],
};

let model: TerraformModel;
let loadProblems: string[];

beforeAll(async () => {
  ({ model, problems: loadProblems } = await loadTerraform(join(INFRA_DIR, TF)));
});
afterAll(removeCopies);

/** A literal default of a variable, e.g. an image. */
const defaultOf = (name: string) => model.variables.get(name)?.default as unknown;
/** The raw text of one resource's attribute (an expression string as parsed). */
const attr = (resource: string, key: string) => String(model.resources.get(resource)?.[key]);

describe('infra/terraform', () => {
  it('parses as HCL, and every var., local., data. and resource reference resolves', () => {
    expect(loadProblems).toEqual([]);
    // The checker really saw the module: dozens of references, in every file.
    expect(model.references.length).toBeGreaterThan(100);
    expect(new Set(model.references.map((r) => r.file)).size).toBe(Object.keys(model.files).length);
    expect(checkModel(model, join(INFRA_DIR, TF), REQUIRED)).toEqual([]);
  });

  it('runs the collector and Tempo on Fargate, Tempo on EFS, both found through Cloud Map', () => {
    expect([...model.resources.keys()]).toEqual(expect.arrayContaining([
      'aws_ecs_service.collector', 'aws_ecs_service.tempo', 'aws_efs_file_system.tempo', 'aws_efs_access_point.tempo',
      'aws_service_discovery_private_dns_namespace.this', 'aws_service_discovery_service.collector',
      'aws_service_discovery_service.tempo', 'aws_lb.collector',
    ]));
    expect(attr('aws_ecs_task_definition.tempo', 'container_definitions')).toContain('containerPath = "/var/tempo"');
  });

  it('uses the ports the collector and Tempo configs listen on', () => {
    const collector = readYaml(join(INFRA_DIR, 'otel-collector', 'config.yaml')).value as Record<string, any>;
    const tempo = tempoFacts(readYaml(join(INFRA_DIR, 'tempo', 'tempo.yaml')).value);
    expect(model.locals.get('otlp_ports')).toEqual(collectorListeners(collector));
    expect(model.locals.get('collector_health')).toBe(Number(/:(\d+)$/.exec(collector.extensions.health_check.endpoint)![1]));
    expect(model.locals.get('tempo_http_port')).toBe(tempo.httpPort);
    expect(tempo.otlpGrpcPort).toBe((model.locals.get('otlp_ports') as { grpc: number }).grpc);
    // Tempo's data directories are on the EFS mount.
    for (const path of tempo.dataPaths) expect(path.startsWith('/var/tempo/')).toBe(true);
  });

  it('gives the collector container every environment variable its config reads', () => {
    const defs = attr('aws_ecs_task_definition.collector', 'container_definitions');
    const collector = readYaml(join(INFRA_DIR, 'otel-collector', 'config.yaml')).value;
    for (const name of collectorEnvReferences(collector)) expect(defs).toMatch(new RegExp(`name\\s*=\\s*"${name}"`));
    expect(defs).toContain('--config=env:OTELCOL_CONFIG');
    expect(defs).toMatch(/name\s*=\s*"OTELCOL_CONFIG",\s*valueFrom\s*=\s*aws_ssm_parameter\.collector_config\.arn/);
  });

  it('defaults to the same pinned images as docker compose', () => {
    const compose = readYaml(join(INFRA_DIR, 'docker-compose.yml')).value as Record<string, any>;
    expect(defaultOf('collector_image')).toBe(compose.services['otel-collector'].image);
    expect(defaultOf('tempo_image')).toBe(compose.services.tempo.image);
  });

  it('outputs an OTLP/HTTP endpoint URL to put in OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(model.outputs.get('otlp_http_endpoint')?.value).toBe('http://${local.otlp_host}:${local.otlp_ports.http}');
  });

  describe('the checker fails a module where', () => {
    it.each<[string, Record<string, [string | RegExp, string][]>, RegExp]>([
      ['a file does not parse',
        { [`${TF}/nlb.tf`]: [['resource "aws_lb" "collector" {', 'resource "aws_lb" "collector" {{']] },
        /nlb\.tf: does not parse as HCL/],
      ['a variable is used but not declared',
        { [`${TF}/ecs.tf`]: [['cpu                      = var.collector_cpu', 'cpu                      = var.collector_vcpu']] },
        /var\.collector_vcpu is not declared/],
      ['a declared variable is never used',
        { [`${TF}/ecs.tf`]: [['memory                   = var.tempo_memory', 'memory                   = 2048']] },
        /variable "tempo_memory": declared but never used/],
      ['a local is used but not defined',
        { [`${TF}/outputs.tf`]: [['${local.tempo_dns}', '${local.tempo_host}']] },
        /local\.tempo_host is not defined/],
      ['a resource reference points at nothing',
        { [`${TF}/ecs.tf`]: [['aws_cloudwatch_log_group.collector.name', 'aws_cloudwatch_log_group.otelcol.name']] },
        /aws_cloudwatch_log_group\.otelcol is not a declared resource/],
      ['a data source reference points at nothing',
        { [`${TF}/iam.tf`]: [['data.aws_partition.current.partition', 'data.aws_partition.this.partition']] },
        /data\.aws_partition\.this is not declared/],
      ['a counted resource is referenced without an index',
        { [`${TF}/nlb.tf`]: [['aws_lb.collector[0].arn', 'aws_lb.collector.arn']] },
        /aws_lb\.collector has count; refer to it as aws_lb\.collector\[0\]/],
      ['each.* is used in a block without for_each',
        { [`${TF}/efs.tf`]: [['subnet_id       = each.value', 'subnet_id       = each.value\n  description     = each.key'], ['  for_each = toset(var.private_subnet_ids)\n', '']] },
        /uses each\.value but the block has no for_each/],
      ['a data source is declared but never used',
        { [`${TF}/main.tf`]: [['data "aws_partition" "current" {}', 'data "aws_partition" "current" {}\n\ndata "aws_caller_identity" "current" {}']] },
        /data\.aws_caller_identity\.current: declared but never used/],
      ['a resource without count is indexed',
        { [`${TF}/ecs.tf`]: [['cluster          = aws_ecs_cluster.this.id', 'cluster          = aws_ecs_cluster.this[0].id']] },
        /aws_ecs_cluster\.this has no count, so aws_ecs_cluster\.this\[0\] does not exist/],
      ['a required output is missing',
        { [`${TF}/outputs.tf`]: [['output "otlp_http_endpoint"', 'output "otlp_endpoint"']] },
        /output "otlp_http_endpoint": required but not declared/],
      ['a config file read with file() is missing',
        { [`${TF}/main.tf`]: [['../tempo/tempo.yaml', '../tempo/tempo.yml']] },
        /reads \.\.\/tempo\/tempo\.yml, which does not exist/],
      ['the provider carries access keys',
        { [`${TF}/versions.tf`]: [['  region = var.aws_region', '  region     = var.aws_region\n  access_key = "AKIAABCDEFGHIJKLMNOP"\n  secret_key = "x"']] },
        /provider "aws" sets access_key/],
      ['a variable has no description',
        { [`${TF}/variables.tf`]: [['  description = "VPC to run the collector and Tempo in."\n', '']] },
        /variable "vpc_id": needs a description/],
    ])('%s', async (_what, edits, message) => {
      const dir = brokenInfra(edits);
      expect(await checkTerraform(join(dir, TF), REQUIRED)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });
  });
});
