import { loadGatewayConfig } from '@cdo-hub/gateway';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AGENCIES, DEPLOY_DIR, gatewayVariables, runTool, subgraphVariables } from './hubVariables';

// deploy/kubernetes rendered offline by `kubectl kustomize` (the kustomize inside kubectl), every
// object validated against the Kubernetes API's OpenAPI schemas as the `kubernetes-models`
// package ships them (ajv validators compiled from the schemas; no cluster, no network), then the
// hub's own rules checked: probes, drain timing, secrets as files, variables the hub reads,
// agencies reachable from the gateway only.

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: any;
};

const MODEL_MODULES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'policy/v1': 'kubernetes-models/policy/v1',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
};

function render(kustomization: string): Manifest[] {
  const text = runTool('kubectl', ['kustomize', join(DEPLOY_DIR, 'kubernetes', kustomization)]);
  return parseAllDocuments(text).map((document) => document.toJS() as Manifest);
}

/** Schema problems of one object, or '' when it is valid. */
function schemaProblems(manifest: Manifest): string {
  const modulePath = MODEL_MODULES[manifest.apiVersion];
  if (!modulePath) return `no schema for ${manifest.apiVersion}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Model = require(modulePath)[manifest.kind];
  if (!Model) return `no schema for ${manifest.apiVersion} ${manifest.kind}`;
  try {
    new Model(manifest).validate();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

const find = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

describe.each(['base', 'overlays/production'])('deploy/kubernetes/%s', (kustomization) => {
  const manifests = render(kustomization);
  const configMap = (name: string) => find(manifests, 'ConfigMap', name).data as Record<string, string>;
  const gateway = find(manifests, 'Deployment', 'gateway');
  const gatewayPod = gateway.spec.template.spec;
  const gatewayContainer = gatewayPod.containers.find((container: any) => container.name === 'gateway');

  it('renders objects that are valid against the Kubernetes API schemas', () => {
    expect(manifests.length).toBeGreaterThan(15);
    const problems = manifests
      .map((manifest) => [`${manifest.kind} ${manifest.metadata.name}`, schemaProblems(manifest)])
      .filter(([, problem]) => problem);
    expect(problems).toEqual([]);
  });

  it('a schema violation is caught (the validator is live)', () => {
    const broken = structuredClone(gateway);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'four thousand';
    expect(schemaProblems(broken)).toMatch(/containerPort must be integer/);
  });

  it('sets only variables the gateway reads, with values it accepts', () => {
    const env = { ...configMap('cdo-hub-gateway'), ...configMap('cdo-hub-redis') };
    const known = gatewayVariables();
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    const config = loadGatewayConfig({ ...env, NODE_ENV: 'production' });
    expect(config.workers).toBe(Number(env.GATEWAY_WORKERS));
    // Deployment replicas have no disk that outlives them: every store the gateway keeps is on Redis.
    expect(config).toMatchObject({ cache: 'redis' });
    for (const store of ['auditRedisUrl', 'auditWitnessRedisUrl', 'grantStoreRedisUrl', 'schemaRegistryRedisUrl'])
      expect(config).toHaveProperty(store);
    expect(config.auditWitnessRedisUrl).not.toBe(config.auditRedisUrl);
    expect([config.auditRedisUrl, config.auditWitnessRedisUrl, config.grantStoreRedisUrl]).not.toContain(
      config.redisUrl,
    );
  });

  it('runs the gateway with as many workers as CPUs in its limit', () => {
    expect(gatewayContainer.args).toEqual(['gateway']);
    expect(Number(gatewayContainer.resources.limits.cpu)).toBe(Number(configMap('cdo-hub-gateway').GATEWAY_WORKERS));
  });

  it('probes /readyz for readiness and /healthz for liveness', () => {
    expect(gatewayContainer.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'graphql' });
    expect(gatewayContainer.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'graphql' });
    expect(gatewayContainer.ports).toContainEqual({ name: 'graphql', containerPort: 4000 });
  });

  it('gives the drain its time: preStop, then SHUTDOWN_TIMEOUT_MS and the primary backstop fit in the grace period', () => {
    const [command, seconds] = gatewayContainer.lifecycle.preStop.exec.command;
    expect(command).toBe('sleep');
    const settings = configMap('cdo-hub-gateway');
    const drainSeconds = (Number(settings.SHUTDOWN_DELAY_MS) + Number(settings.SHUTDOWN_TIMEOUT_MS)) / 1000;
    // gateway/src/workers/gatewayPrimary.ts kills workers SHUTDOWN_TIMEOUT_MS + 5 s after SIGTERM.
    expect(gatewayPod.terminationGracePeriodSeconds).toBeGreaterThan(Number(seconds) + drainSeconds + 5);
  });

  it('mounts every secret the hub reads as a file, and none in the environment', () => {
    const settings = configMap('cdo-hub-gateway');
    const secretFiles = Object.entries(settings).filter(([name]) => name.endsWith('_FILE'));
    expect(secretFiles.map(([name]) => name).sort()).toEqual(
      ['HUB_JWT_SECRET_FILE', 'HUB_MASK_HASH_KEY_FILE', 'HUB_SUBGRAPH_SIGNING_KEY_FILE'].sort(),
    );
    const mount = gatewayContainer.volumeMounts.find((entry: any) => entry.name === 'secrets');
    const volume = gatewayPod.volumes.find((entry: any) => entry.name === 'secrets');
    for (const [, file] of secretFiles) {
      expect(mount.readOnly).toBe(true);
      expect(volume.secret.items.map((item: any) => `${mount.mountPath}/${item.path}`)).toContain(file);
    }
    for (const manifest of manifests.filter((entry) => entry.kind === 'ConfigMap'))
      expect(Object.keys(manifest.data).filter((name) => /SECRET$|_KEY$/.test(name))).toEqual([]);
  });

  it('scales the gateway with an HPA and keeps all but one pod through disruptions', () => {
    const hpa = find(manifests, 'HorizontalPodAutoscaler', 'gateway');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = find(manifests, 'PodDisruptionBudget', 'gateway');
    expect(gateway.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });

  it('archives each worker audit stream of the pod with a native sidecar', () => {
    const archiver = gatewayPod.initContainers.find((container: any) => container.name === 'audit-archiver');
    expect(archiver.restartPolicy).toBe('Always');
    expect(archiver.args[0]).toMatch(/hub audit archive --instance "\$instance"/);
    expect(archiver.args[0]).toMatch(/\$POD_NAME-worker-\$n/);
    expect(gatewayContainer.env).toContainEqual({
      name: 'AUDIT_INSTANCE',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  });

  it('runs every container as uid 1000, read-only, without privileges', () => {
    for (const deployment of manifests.filter((manifest) => manifest.kind === 'Deployment')) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        // A read-only root: /tmp is always a volume.
        expect(container.volumeMounts.map((entry: any) => entry.mountPath)).toContain('/tmp');
      }
    }
  });

  it.each(AGENCIES.map((agency) => [agency.id, agency] as const))(
    'runs %s as its own Deployment, Service and volume, where the gateway calls it',
    (id, agency) => {
      const deployment = find(manifests, 'Deployment', id);
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      expect(container.args).toEqual(['subgraph', id]);
      expect(deployment.spec.strategy.type).toBe('Recreate');
      const env = Object.fromEntries(container.env.map((entry: any) => [entry.name, entry.value ?? entry.valueFrom]));
      const known = subgraphVariables(id);
      expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
      const port = Number(env[`${agency.envPrefix}_PORT`]);
      expect(container.ports).toContainEqual({ name: 'graphql', containerPort: port });
      const service = find(manifests, 'Service', id);
      expect(service.spec.ports).toContainEqual({ name: 'graphql', port, targetPort: 'graphql' });
      expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
      expect(configMap('cdo-hub-gateway')[`${agency.envPrefix}_URL`]).toBe(`http://${id}:${port}/graphql`);
      const claim = pod.volumes.find((volume: any) => volume.name === 'data').persistentVolumeClaim.claimName;
      expect(find(manifests, 'PersistentVolumeClaim', claim).spec.accessModes).toEqual(['ReadWriteOnce']);
      // The agency holds the signing key and no other secret of the hub's.
      const secretItems = pod.volumes.flatMap((volume: any) => volume.secret?.items ?? []);
      expect(secretItems.map((item: any) => item.key)).toEqual(['subgraph-signing-key']);
      expect(container.readinessProbe.httpGet.path).toBe('/healthz');
    },
  );

  it('lets only the gateway reach the agencies', () => {
    const policies = manifests.filter((manifest) => manifest.kind === 'NetworkPolicy');
    const denyAll = policies.find((policy) => Object.keys(policy.spec.podSelector).length === 0);
    expect(denyAll?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    for (const agency of AGENCIES) {
      const labels = find(manifests, 'Deployment', agency.id).spec.template.metadata.labels;
      const selecting = policies.filter((policy) => {
        const wanted = policy.spec.podSelector.matchLabels ?? {};
        return Object.keys(wanted).length > 0 && Object.entries(wanted).every(([key, value]) => labels[key] === value);
      });
      const sources = selecting
        .flatMap((policy) => policy.spec.ingress ?? [])
        .flatMap((rule: any) => rule.from ?? [{}]);
      expect(sources).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cdo-hub-gateway' } } }]);
    }
  });
});
