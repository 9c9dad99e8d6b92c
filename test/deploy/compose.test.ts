import { loadGatewayConfig } from '@cdo-hub/gateway';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AGENCIES, DEPLOY_DIR, REPO_ROOT, gatewayVariables, runTool, subgraphVariables } from './hubVariables';

// deploy/compose/compose.yaml, checked statically (its images cannot be pulled here): it parses,
// every file it mounts exists, every variable it gives a hub container is one that role reads and
// takes, the gateway calls the agencies where they listen, and each Redis is set up for its role.

const COMPOSE_DIR = join(DEPLOY_DIR, 'compose');
const compose = parse(readFileSync(join(COMPOSE_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, any>;
  networks: Record<string, any>;
  volumes: Record<string, any>;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;
const hubServices = Object.entries(services).filter(([, service]) => service.build?.dockerfile);
const gateway = services.gateway;
const gatewayEnv: Record<string, string> = Object.fromEntries(
  Object.entries(gateway.environment).map(([name, value]) => [name, String(value)]),
);

/** The Redis service a `redis://host:port` URL names, and the settings on its command line. */
function redisService(url: string): { name: string; settings: Record<string, string> } {
  const name = new URL(url).hostname;
  const service = services[name];
  if (!service) throw new Error(`${url}: no service ${name}`);
  const command: string[] = service.command.map(String);
  const settings: Record<string, string> = {};
  for (let i = 1; i < command.length; i += 2) settings[command[i]!.replace(/^--/, '')] = command[i + 1]!;
  return { name, settings };
}

describe('deploy/compose/compose.yaml', () => {
  it('builds the hub from deploy/container/Dockerfile, with the repository as context', () => {
    expect(hubServices.length).toBeGreaterThanOrEqual(9);
    for (const [, service] of hubServices) {
      expect(join(COMPOSE_DIR, service.build.context)).toBe(REPO_ROOT);
      expect(existsSync(join(REPO_ROOT, service.build.dockerfile))).toBe(true);
      expect(service).toMatchObject({ read_only: true, tmpfs: ['/tmp'], cap_drop: ['ALL'] });
    }
  });

  it('gives each hub container a role the image knows', () => {
    const roles = hubServices.map(([, service]) => service.command[0]);
    expect(new Set(roles)).toEqual(new Set(['gateway', 'subgraph', 'seed', 'audit']));
    for (const agency of AGENCIES) expect(services[agency.id].command).toEqual(['subgraph', agency.id]);
  });

  it('mounts files and secrets that exist, or that make-secrets.sh makes (git-ignored)', () => {
    for (const [, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(COMPOSE_DIR, source))).toBe(true);
        else expect(compose.volumes).toHaveProperty(source);
      }
      for (const secret of service.secrets ?? []) expect(compose.secrets).toHaveProperty(secret);
    }
    const maker = readFileSync(join(COMPOSE_DIR, 'make-secrets.sh'), 'utf8');
    for (const [name, secret] of Object.entries(compose.secrets)) {
      expect(secret.file).toBe(`./secrets/${name}`);
      expect(maker).toContain(name);
    }
    expect(readFileSync(join(COMPOSE_DIR, '.gitignore'), 'utf8')).toMatch(/^secrets\/$/m);
  });

  it('sets only variables the gateway reads, with values it accepts', () => {
    const known = gatewayVariables();
    expect(Object.keys(gatewayEnv).filter((name) => !known.has(name))).toEqual([]);
    const config = loadGatewayConfig({ ...gatewayEnv, NODE_ENV: 'production' });
    expect(config.workers).toBe(Number(gatewayEnv.GATEWAY_WORKERS));
    for (const name of Object.keys(gatewayEnv).filter((entry) => entry.endsWith('_FILE')))
      expect(gateway.secrets).toContain(gatewayEnv[name]!.replace('/run/secrets/', ''));
  });

  it.each(AGENCIES.map((agency) => [agency.id, agency] as const))(
    'runs %s with variables it reads, where the gateway calls it',
    (id, agency) => {
      const env = services[id].environment as Record<string, unknown>;
      const known = subgraphVariables(id);
      expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
      const port = env[`${agency.envPrefix}_PORT`];
      expect(gatewayEnv[`${agency.envPrefix}_URL`]).toBe(`http://${id}:${port}/graphql`);
      expect(services[id].secrets).toEqual(['hub_subgraph_signing_key']);
      // Only the gateway shares the agencies' network with them.
      const onAgencies = Object.entries(services).filter(([, service]) =>
        (Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {})).includes('agencies'),
      );
      expect(onAgencies.map(([name]) => name).sort()).toEqual(['gateway', ...AGENCIES.map((entry) => entry.id)].sort());
    },
  );

  it('gives each durable store a Redis that neither evicts nor loses acknowledged writes, the witness its own', () => {
    const durable = [
      'AUDIT_REDIS_URL',
      'AUDIT_WITNESS_REDIS_URL',
      'GRANT_STORE_REDIS_URL',
      'SCHEMA_REGISTRY_REDIS_URL',
    ];
    for (const name of durable) {
      const { settings } = redisService(gatewayEnv[name]!);
      expect(settings).toMatchObject({ appendonly: 'yes', appendfsync: 'always', 'maxmemory-policy': 'noeviction' });
    }
    expect(redisService(gatewayEnv.AUDIT_WITNESS_REDIS_URL!).name).not.toBe(
      redisService(gatewayEnv.AUDIT_REDIS_URL!).name,
    );
    const cache = redisService(gatewayEnv.REDIS_URL!);
    expect(durable.map((name) => redisService(gatewayEnv[name]!).name)).not.toContain(cache.name);
    expect(cache.settings['maxmemory-policy']).toMatch(/lru|lfu/);
  });

  it("archives every gateway worker's audit stream", () => {
    const instances = Object.values(services)
      .filter((service) => service.command?.[0] === 'audit')
      .map((service) => service.command[service.command.indexOf('--instance') + 1]);
    const workers = Number(gatewayEnv.GATEWAY_WORKERS);
    expect(instances.sort()).toEqual(
      Array.from({ length: workers }, (_, index) => `${gatewayEnv.AUDIT_INSTANCE}-worker-${index + 1}`),
    );
  });

  it('lets the drain finish before the container is killed', () => {
    const grace = Number(String(gateway.stop_grace_period).replace(/s$/, ''));
    // The primary's backstop is SHUTDOWN_TIMEOUT_MS + 5 s (gateway/src/workers/gatewayPrimary.ts).
    expect(grace).toBeGreaterThan(Number(gatewayEnv.SHUTDOWN_TIMEOUT_MS) / 1000 + 5);
  });

  it('exposes /metrics without credentials on the monitoring network only, where Prometheus scrapes', () => {
    expect(gateway.networks.monitoring.ipv4_address).toBe(gatewayEnv.METRICS_HOST);
    expect(gateway.ports).toEqual(['4000:4000']);
    const prometheus = parse(readFileSync(join(COMPOSE_DIR, 'prometheus', 'prometheus.yml'), 'utf8'));
    const job = prometheus.scrape_configs.find((entry: any) => entry.job_name === 'cdo-hub-gateway');
    expect(job.static_configs[0].targets).toEqual([`gateway:${gatewayEnv.METRICS_PORT}`]);
    const redisJob = prometheus.scrape_configs.find((entry: any) => entry.job_name === 'redis');
    const scraped = redisJob.static_configs.map((entry: any) => new URL(entry.targets[0]).hostname).sort();
    const redisServices = Object.keys(services).filter((name) => /^redis-(?!exporter)/.test(name));
    expect(scraped).toEqual(redisServices.sort());
  });

  it('make-secrets.sh is valid shell', () => {
    expect(() => runTool('sh', ['-n', join(COMPOSE_DIR, 'make-secrets.sh')])).not.toThrow();
  });
});
