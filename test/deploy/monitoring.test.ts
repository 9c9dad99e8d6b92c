import { HubMetrics } from '@cdo-hub/gateway';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEPLOY_DIR, REPO_ROOT, runTool } from './hubVariables';

// The alert rules and the Grafana dashboard, checked without running Prometheus or Grafana:
// promtool (Debian's prometheus package, installed by `npm test`'s provisioning) checks the rules,
// the Prometheus configuration and the rules' unit tests; every metric they name must be one the
// gateway really exposes — read from a live HubMetrics registry, not from a list kept by hand.

const PROMETHEUS_DIR = join(DEPLOY_DIR, 'compose', 'prometheus');
const RULES_FILE = join(PROMETHEUS_DIR, 'rules', 'cdo-hub.yml');
const DASHBOARD_FILE = join(DEPLOY_DIR, 'compose', 'grafana', 'dashboards', 'cdo-hub.json');
const RUNBOOKS_FILE = join(REPO_ROOT, 'docs', 'operations', 'runbooks.md');

/** Metrics from other exporters the rules may name: Prometheus's own `up`, redis_exporter's `redis_up`. */
const OTHER_EXPORTERS = new Set(['up', 'redis_up']);

const rules = parse(readFileSync(RULES_FILE, 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string; annotations: Record<string, string> }[] }[];
};
const alerts = rules.groups.flatMap((group) => group.rules);
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8'));
const dashboardExpressions: string[] = dashboard.panels.flatMap((panel: any) =>
  (panel.targets ?? []).map((target: any) => target.expr),
);

/** The series names the gateway exposes, histograms with their _bucket/_sum/_count series. */
async function gatewaySeriesNames(): Promise<Set<string>> {
  const { text } = await new HubMetrics().exposition();
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match;
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Metric names in a PromQL expression: identifiers not followed by `(`, minus PromQL's own words. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]');
  const keywords =
    /^(by|without|on|ignoring|group_left|group_right|and|or|unless|bool|offset|inf|nan|sum|min|max|avg|group|count|stddev|stdvar|topk|bottomk|quantile|count_values)$/i;
  const labelLists = [...withoutStrings.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((match) =>
    match[1]!.split(',').map((label) => label.trim()),
  );
  return [...withoutStrings.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((match) => match[1]!)
    .filter((name) => !keywords.test(name) && !labelLists.includes(name) && !/^\d/.test(name));
}

describe('alert rules (deploy/compose/prometheus)', () => {
  it('pass promtool check rules', () => {
    expect(runTool('promtool', ['check', 'rules', RULES_FILE])).toMatch(/SUCCESS: 12 rules found/);
  });

  it("pass the rules' unit tests (promtool test rules): alerts fire on the series that should raise them", () => {
    expect(runTool('promtool', ['test', 'rules', join(PROMETHEUS_DIR, 'tests', 'alerts.test.yml')])).toMatch(/SUCCESS/);
  });

  it('the Prometheus configuration is valid and loads these rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdo-hub-prometheus-'));
    try {
      // The container path (/etc/prometheus/rules) replaced by the repository's, so promtool reads the real files.
      const config = readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8').replace(
        '/etc/prometheus/rules/',
        `${join(PROMETHEUS_DIR, 'rules')}/`,
      );
      writeFileSync(join(dir, 'prometheus.yml'), config);
      expect(runTool('promtool', ['check', 'config', join(dir, 'prometheus.yml')])).toMatch(/SUCCESS: 12 rules found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a broken rule is refused (promtool is really consulted)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdo-hub-rules-'));
    try {
      writeFileSync(
        join(dir, 'broken.yml'),
        'groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(rate(\n',
      );
      expect(() => runTool('promtool', ['check', 'rules', join(dir, 'broken.yml')])).toThrow(/parse error/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('name only metrics the gateway exposes (or redis_exporter and Prometheus itself)', async () => {
    const exposed = await gatewaySeriesNames();
    expect(exposed.has('cdo_hub_audit_wait_seconds_bucket')).toBe(true);
    const used = [...alerts.map((alert) => alert.expr), ...dashboardExpressions].flatMap(metricNames);
    expect(used.length).toBeGreaterThan(30);
    expect([...new Set(used)].filter((name) => !exposed.has(name) && !OTHER_EXPORTERS.has(name))).toEqual([]);
  });

  it('cover what an operator must hear of: gateway down, circuit open, audit wait, refusals, 5xx, Redis down', () => {
    expect(alerts.map((alert) => alert.alert)).toEqual(
      expect.arrayContaining([
        'CdoHubGatewayDown',
        'CdoHubSubgraphCircuitOpen',
        'CdoHubAuditWaitHigh',
        'CdoHubRefusalRateHigh',
        'CdoHubSubgraphServerErrors',
        'CdoHubRedisDown',
        'CdoHubCacheDown',
      ]),
    );
  });

  it('each alert links its runbook, and the runbook has a section of that name', () => {
    const runbooks = readFileSync(RUNBOOKS_FILE, 'utf8');
    const headings = new Set([...runbooks.matchAll(/^### (\S+)$/gm)].map((match) => match[1]!));
    for (const alert of alerts) {
      expect(alert.annotations.runbook_url).toBe(`docs/operations/runbooks.md#${alert.alert.toLowerCase()}`);
      expect(headings).toContain(alert.alert);
    }
  });
});

describe('Grafana dashboard (deploy/compose/grafana)', () => {
  it('is provisioned from the folder it is in, on the data source the provisioning defines', () => {
    const provider = parse(
      readFileSync(join(DEPLOY_DIR, 'compose', 'grafana', 'provisioning', 'dashboards', 'cdo-hub.yaml'), 'utf8'),
    );
    const datasources = parse(
      readFileSync(join(DEPLOY_DIR, 'compose', 'grafana', 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8'),
    );
    expect(provider.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
    const uid = datasources.datasources[0].uid;
    for (const panel of dashboard.panels.filter((entry: any) => entry.type !== 'row'))
      expect(panel.datasource.uid).toBe(uid);
  });

  it('has unique panel ids and no panel without a query', () => {
    const ids = dashboard.panels.map((panel: any) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((entry: any) => entry.type !== 'row'))
      expect(panel.targets.length).toBeGreaterThan(0);
  });

  it('shows every metric family the gateway defines', async () => {
    const families = [...(await gatewaySeriesNames())].filter(
      (name) => /^cdo_hub_(cache|subgraph|consumer|rate|audit)_/.test(name) && !/_(bucket|sum|count)$/.test(name),
    );
    const shown = new Set(
      dashboardExpressions.flatMap(metricNames).map((name) => name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(families.filter((family) => !shown.has(family))).toEqual([]);
  });
});
