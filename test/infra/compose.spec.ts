import { join } from 'node:path';
import { checkAppReadsEnv, checkComposeStack, checkDockerfileMatchesStart, isPinned } from './checks/compose.check.js';
import { brokenInfra, INFRA_DIR, REPO_ROOT, removeCopies } from './checks/infra-copy.js';
import { readYaml } from './checks/yaml-file.js';

const COMPOSE = 'docker-compose.yml';
const compose = readYaml(join(INFRA_DIR, COMPOSE)).value as Record<string, any>;

afterAll(removeCopies);

describe('infra/docker-compose.yml', () => {
  it('mounts files that exist, and app -> collector -> Tempo <- Grafana line up with the ports the configs listen on', () => {
    expect(checkComposeStack(join(INFRA_DIR, COMPOSE))).toEqual([]);
  });

  it('runs the collector, Tempo, Grafana and the sample app, with pinned images', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['otel-collector', 'tempo', 'grafana', 'sample-app']));
    for (const svc of Object.values<Record<string, any>>(compose.services)) {
      if (svc.image) expect(isPinned(svc.image)).toBe(true);
    }
  });

  it('points the sample app at the collector over OTLP/HTTP and names its service', () => {
    const env = compose.services['sample-app'].environment;
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
    expect(env.OTEL_SERVICE_NAME).toBeTruthy();
  });

  it('passes the sample app only settings its code reads (HOST, PORT)', () => {
    expect(checkAppReadsEnv(join(INFRA_DIR, COMPOSE), 'sample-app', join(REPO_ROOT, 'sample-app'))).toEqual([]);
  });

  it('builds the sample app image with the same steps as `npm start`', () => {
    expect(checkDockerfileMatchesStart(join(INFRA_DIR, 'sample-app.Dockerfile'), join(REPO_ROOT, 'package.json'))).toEqual([]);
  });

  describe('the checker fails a stack where', () => {
    it.each<[string, Record<string, [string | RegExp, string][]>, RegExp]>([
      ['the app sends to the collector\'s gRPC port over HTTP',
        { [COMPOSE]: [['http://otel-collector:4318', 'http://otel-collector:4317']] },
        /port 4317 is not the collector's OTLP HTTP receiver port \(4318\)/],
      ['the app sends to a host that is not the collector',
        { [COMPOSE]: [['http://otel-collector:4318', 'http://collector:4318']] },
        /host "collector" is not the collector service/],
      ['the app endpoint carries the /v1/traces path',
        { [COMPOSE]: [['http://otel-collector:4318', 'http://otel-collector:4318/v1/traces']] },
        /appends \/v1\/traces itself/],
      ['the collector listens for HTTP on another port than the app uses',
        { 'otel-collector/config.yaml': [['0.0.0.0:4318', '0.0.0.0:4319']] },
        /port 4318 is not the collector's OTLP HTTP receiver port \(4319\)/],
      ['the collector config reads an environment variable compose does not set',
        { [COMPOSE]: [['      TEMPO_OTLP_ENDPOINT: tempo:4317\n', '']] },
        /reads \$\{env:TEMPO_OTLP_ENDPOINT\} but it is not set/],
      ['the collector exports to a port Tempo does not receive on',
        { [COMPOSE]: [['TEMPO_OTLP_ENDPOINT: tempo:4317', 'TEMPO_OTLP_ENDPOINT: tempo:4318']] },
        /sends to tempo:4318 but Tempo's OTLP gRPC receiver listens on 4317/],
      ['the collector exports to a service that does not exist',
        { [COMPOSE]: [['TEMPO_OTLP_ENDPOINT: tempo:4317', 'TEMPO_OTLP_ENDPOINT: jaeger:4317']] },
        /sends to "jaeger", which is not a compose service/],
      ['the collector config is broken',
        { 'otel-collector/config.yaml': [['processors: [memory_limiter, tail_sampling, batch]', 'processors: [memory_limiter, tail_sampling, batch, groupbytrace]']] },
        /otel-collector config: .*"groupbytrace" is not defined under processors/],
      ['a mounted config file is not in the repository',
        { [COMPOSE]: [['./tempo/tempo.yaml:/etc/tempo/tempo.yaml:ro', './tempo/missing.yaml:/etc/tempo/tempo.yaml:ro']] },
        /tempo\/missing\.yaml does not exist in the repository/],
      ['the collector is started with a config path nothing is mounted at',
        { [COMPOSE]: [['--config=/etc/otelcol-contrib/config.yaml', '--config=/etc/otelcol/config.yaml']] },
        /reads \/etc\/otelcol\/config\.yaml, but no file from the repository is mounted there/],
      ['Tempo\'s data directory is not on a volume',
        { [COMPOSE]: [['      - tempo-data:/var/tempo\n    ports', '    ports']] },
        /Tempo writes \/var\/tempo\/wal but no volume is mounted there/],
      ['Grafana\'s Tempo data source uses the wrong port',
        { 'grafana/provisioning/datasources/tempo.yaml': [['http://tempo:3200', 'http://tempo:3100']] },
        /url http:\/\/tempo:3100 should be http:\/\/tempo:3200/],
      ['an image is not pinned',
        { [COMPOSE]: [['grafana/grafana:12.2.0', 'grafana/grafana:latest']] },
        /"grafana\/grafana:latest" is not pinned/],
      ['a service depends on one that does not exist',
        { [COMPOSE]: [[/depends_on:\n      - tempo\n    restart/, 'depends_on:\n      - tempo-db\n    restart']] },
        /depends_on: no service "tempo-db"/],
      ['two services publish the same host port',
        { [COMPOSE]: [['"127.0.0.1:3200:3200"', '"127.0.0.1:4318:3200"']] },
        /host port 4318 is also published by otel-collector/],
      ['the sample app\'s Dockerfile is missing',
        { [COMPOSE]: [['dockerfile: infra/sample-app.Dockerfile', 'dockerfile: infra/app.Dockerfile']] },
        /infra\/app\.Dockerfile not found/],
    ])('%s', (_what, edits, message) => {
      const dir = brokenInfra(edits);
      expect(checkComposeStack(join(dir, COMPOSE))).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });

    it('the Dockerfile starts something other than what `npm start` runs', () => {
      const dir = brokenInfra({ 'sample-app.Dockerfile': [['CMD ["node", "dist/sample-app/main.js"]', 'CMD ["node", "dist/main.js"]']] });
      expect(checkDockerfileMatchesStart(join(dir, 'sample-app.Dockerfile'), join(REPO_ROOT, 'package.json'))).toEqual([
        expect.stringMatching(/CMD is "node dist\/main\.js" but npm start runs "node dist\/sample-app\/main\.js"/),
      ]);
    });

    it('the app is given a setting its code never reads', () => {
      const dir = brokenInfra({ [COMPOSE]: [['      PORT: "8080"', '      PORT: "8080"\n      LISTEN_ADDR: 0.0.0.0']] });
      expect(checkAppReadsEnv(join(dir, COMPOSE), 'sample-app', join(REPO_ROOT, 'sample-app'))).toEqual([
        expect.stringMatching(/LISTEN_ADDR: nothing under .* reads process\.env\.LISTEN_ADDR/),
      ]);
    });
  });
});
