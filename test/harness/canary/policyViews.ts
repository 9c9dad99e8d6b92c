import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type DirectiveNode, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from 'graphql';
import { parse as parseYaml } from 'yaml';

/**
 * The canary oracle's own reading of who may read what: the CDOs' policy files, the consumer
 * registry and the supergraph's join directives, parsed here — never through the gateway's policy
 * compiler — so the oracle judges the gateway instead of repeating its decisions. It follows the
 * rules the README states for the policy file: a field rule stands alone, else the type's default,
 * else NOT_SHARED; the consumer's own agency reads its fields in full; the public reads OPEN
 * UNCONDITIONAL fields only; CONDITIONAL needs a live grant for the consumer and purpose (in clear
 * before masked); a field resolved by several agencies takes the strictest ruling.
 */

export type SharingClass = 'UNCONDITIONAL' | 'CONDITIONAL' | 'NOT_SHARED';

interface FieldRule {
  sharingClass: SharingClass;
  open: boolean;
}

interface GrantRule {
  id: string;
  agency: string;
  consumer: string;
  purposes: string[];
  /** coordinate (or `Type.*`) → mask, or undefined when released in clear */
  fields: Map<string, string | undefined>;
  scope?: Record<string, string>;
  /** The first instant the grant no longer holds: the day after `expires`, 00:00 Beijing time. */
  endsAt: number;
  /** `requireCase: true`: only requests naming a case (in `casePattern`'s format, whole, when set) may use it. */
  caseFormat?: RegExp | 'any';
}

export interface View {
  /** `consumer/purpose`, or `public` */
  id: string;
  consumer: string;
  purpose?: string;
  /** The agency the consumer belongs to, which reads its own fields in full. */
  agency?: string;
  isPublic: boolean;
  /** The case the view's requests name in `x-case-id`, if any. */
  caseId?: string;
}

/** What a view may do with one field coordinate. */
export interface FieldAccess {
  read: 'clear' | 'masked' | 'none';
  mask?: string;
  /** Row scope of the grant that releases it (e.g. `{ districtCode: '110108' }`): rows outside it are not readable. */
  scope?: Record<string, string>;
  because: string;
}

export interface PolicyFiles {
  policyDir: string;
  consumersFile: string;
  supergraphFile: string;
}

export function shippedPolicyFiles(repoRoot: string): PolicyFiles {
  return {
    policyDir: join(repoRoot, 'schema', 'policies'),
    consumersFile: join(repoRoot, 'schema', 'consumers.yaml'),
    supergraphFile: join(repoRoot, 'schema', 'supergraph.graphql'),
  };
}

export class PolicyViews {
  /** `Type.field` → agencies whose subgraph resolves it (from `@join__type` / `@join__field`). */
  readonly resolvers = new Map<string, string[]>();
  /** `Type.field` → whether its type is a leaf (scalar or enum), from the supergraph. */
  readonly leafCoordinates = new Set<string>();
  readonly views: View[];
  private readonly rules = new Map<string, { defaults: Map<string, FieldRule>; fields: Map<string, FieldRule> }>();
  private readonly grants: GrantRule[] = [];

  constructor(files: PolicyFiles) {
    this.readSupergraph(readFileSync(files.supergraphFile, 'utf8'));
    for (const file of readdirSync(files.policyDir).filter((name) => /\.ya?ml$/.test(name))) {
      this.readPolicy(parseYaml(readFileSync(join(files.policyDir, file), 'utf8')) as Record<string, any>);
    }
    this.views = readViews(parseYaml(readFileSync(files.consumersFile, 'utf8')) as Record<string, any>);
  }

  view(id: string): View {
    const view = this.views.find((v) => v.id === id);
    if (!view) throw new Error(`no view ${id}; views: ${this.views.map((v) => v.id).join(', ')}`);
    return view;
  }

  /** The sharing class an agency's policy gives a field (secure default: NOT_SHARED). */
  classify(coordinate: string, agency: string): FieldRule & { origin: 'field' | 'default' | 'unclassified' } {
    const [typeName] = coordinate.split('.') as [string, string];
    const policy = this.rules.get(agency);
    const own = policy?.fields.get(coordinate);
    if (own) return { ...own, origin: 'field' };
    const fallback = policy?.defaults.get(typeName);
    if (fallback) return { ...fallback, origin: 'default' };
    return { sharingClass: 'NOT_SHARED', open: false, origin: 'unclassified' };
  }

  /** Leaf field coordinates some resolving agency classes CONDITIONAL or NOT_SHARED. */
  protectedLeafCoordinates(): string[] {
    return [...this.leafCoordinates]
      .filter((coordinate) =>
        (this.resolvers.get(coordinate) ?? []).some(
          (agency) => this.classify(coordinate, agency).sharingClass !== 'UNCONDITIONAL',
        ),
      )
      .sort();
  }

  /** What `view` may do with `coordinate` at time `now`; strictest ruling across the agencies that resolve it. */
  access(view: View, coordinate: string, now = Date.now()): FieldAccess {
    const agencies = this.resolvers.get(coordinate) ?? [];
    if (!agencies.length) return { read: 'none', because: 'no agency resolves it' };
    const rulings = agencies.map((agency) => this.ruling(view, coordinate, agency, now));
    const denied = rulings.find((r) => r.read === 'none');
    if (denied) return denied;
    const masked = rulings.find((r) => r.read === 'masked');
    const scope = Object.assign({}, ...rulings.map((r) => r.scope ?? {})) as Record<string, string>;
    const chosen = masked ?? rulings[0]!;
    return Object.keys(scope).length ? { ...chosen, scope } : chosen;
  }

  private ruling(view: View, coordinate: string, agency: string, now: number): FieldAccess {
    if (view.agency === agency) return { read: 'clear', because: `${agency} reads its own data` };
    const rule = this.classify(coordinate, agency);
    if (view.isPublic)
      return rule.open && rule.sharingClass === 'UNCONDITIONAL'
        ? { read: 'clear', because: 'open data' }
        : { read: 'none', because: `${agency}: not open data` };
    if (rule.sharingClass === 'UNCONDITIONAL') return { read: 'clear', because: `${agency}: UNCONDITIONAL` };
    if (rule.sharingClass === 'NOT_SHARED') return { read: 'none', because: `${agency}: NOT_SHARED` };
    const [typeName] = coordinate.split('.') as [string, string];
    const live = this.grants.filter(
      (g) =>
        g.agency === agency &&
        g.consumer === view.consumer &&
        view.purpose !== undefined &&
        g.purposes.includes(view.purpose) &&
        g.endsAt > now &&
        caseAccepted(g, view.caseId) &&
        (g.fields.has(coordinate) || g.fields.has(`${typeName}.*`)),
    );
    if (!live.length) return { read: 'none', because: `${agency}: CONDITIONAL, no live grant for ${view.id}` };
    const maskOf = (g: GrantRule) =>
      g.fields.has(coordinate) ? g.fields.get(coordinate) : g.fields.get(`${typeName}.*`);
    const best = live.find((g) => maskOf(g) === undefined) ?? live[0]!;
    const mask = maskOf(best);
    return {
      ...(mask === undefined ? { read: 'clear' as const } : { read: 'masked' as const, mask }),
      ...(best.scope ? { scope: best.scope } : {}),
      because: `${agency}: CONDITIONAL, grant ${best.id}`,
    };
  }

  private readSupergraph(sdl: string): void {
    const document = parse(sdl);
    const graphNames = new Map<string, string>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
        for (const value of definition.values ?? []) {
          const name = argumentOf(
            value.directives?.find((d) => d.name.value === 'join__graph'),
            'name',
          );
          if (name) graphNames.set(value.name.value, name);
        }
      }
    }
    const leafTypes = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);
    for (const definition of document.definitions) {
      if (definition.kind === Kind.SCALAR_TYPE_DEFINITION || definition.kind === Kind.ENUM_TYPE_DEFINITION)
        leafTypes.add(definition.name.value);
    }
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const type = definition as ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
      const typeGraphs = (type.directives ?? [])
        .filter((d) => d.name.value === 'join__type')
        .map((d) => graphNames.get(argumentOf(d, 'graph') ?? '')!);
      if (!typeGraphs.length) continue; // federation's own types (join__, link__)
      for (const field of type.fields ?? []) {
        const coordinate = `${type.name.value}.${field.name.value}`;
        const joins = (field.directives ?? []).filter((d) => d.name.value === 'join__field');
        // No @join__field: every graph that has the type resolves it. External fields are only read from elsewhere.
        const graphs = joins.length
          ? joins
              .filter((d) => argumentOf(d, 'external') !== 'true' && argumentOf(d, 'graph'))
              .map((d) => graphNames.get(argumentOf(d, 'graph')!)!)
          : typeGraphs;
        this.resolvers.set(coordinate, [...new Set(graphs)]);
        let named = field.type;
        while (named.kind !== Kind.NAMED_TYPE) named = named.type;
        if (leafTypes.has(named.name.value)) this.leafCoordinates.add(coordinate);
      }
    }
  }

  private readPolicy(policy: Record<string, any>): void {
    const agency = String(policy.agency);
    const rules = { defaults: new Map<string, FieldRule>(), fields: new Map<string, FieldRule>() };
    this.rules.set(agency, rules);
    for (const [typeName, type] of Object.entries<Record<string, any>>(policy.types ?? {})) {
      if (type?.default) rules.defaults.set(typeName, fieldRule(type.default));
      for (const [fieldName, rule] of Object.entries<Record<string, any>>(type?.fields ?? {}))
        rules.fields.set(`${typeName}.${fieldName}`, fieldRule(rule));
    }
    for (const grant of (policy.grants ?? []) as Record<string, any>[]) {
      const fields = new Map<string, string | undefined>();
      for (const entry of grant.fields ?? []) {
        if (typeof entry === 'string') fields.set(entry, undefined);
        else
          for (const [coordinate, mask] of Object.entries(entry as Record<string, unknown>))
            fields.set(coordinate, mask == null ? undefined : String(mask));
      }
      this.grants.push({
        id: String(grant.id),
        agency,
        consumer: String(grant.consumer),
        purposes: (grant.purposes ?? []).map(String),
        fields,
        ...(grant.scope
          ? { scope: Object.fromEntries(Object.entries(grant.scope).map(([k, v]) => [k, String(v)])) }
          : {}),
        endsAt: endOfBeijingDay(grant.expires),
        ...(grant.requireCase === true
          ? {
              caseFormat: grant.casePattern === undefined ? ('any' as const) : new RegExp(`^(?:${grant.casePattern})$`),
            }
          : {}),
      });
    }
  }
}

/**
 * The README's rule for a case-bound grant, read on its own: the request names a case of 1-64
 * visible ASCII characters, matching the grant's format whole when it has one.
 */
function caseAccepted(grant: GrantRule, caseId: string | undefined): boolean {
  if (!grant.caseFormat) return true;
  if (caseId === undefined || !/^[\x21-\x7e]{1,64}$/.test(caseId)) return false;
  return grant.caseFormat === 'any' || grant.caseFormat.test(caseId);
}

function fieldRule(rule: Record<string, any>): FieldRule {
  return { sharingClass: String(rule.class) as SharingClass, open: rule.open === 'OPEN' };
}

/** "Valid through that day, Beijing time" (the README's rule for `expires`). */
function endOfBeijingDay(expires: unknown): number {
  const day = expires instanceof Date ? expires.toISOString().slice(0, 10) : String(expires);
  return Date.parse(`${day}T00:00:00+08:00`) + 24 * 3600 * 1000;
}

function argumentOf(directive: DirectiveNode | undefined, name: string): string | undefined {
  const argument = directive?.arguments?.find((a) => a.name.value === name);
  if (!argument) return undefined;
  const value = argument.value;
  return value.kind === Kind.STRING || value.kind === Kind.ENUM
    ? value.value
    : value.kind === Kind.BOOLEAN
      ? String(value.value)
      : undefined;
}

function readViews(registry: Record<string, any>): View[] {
  const views: View[] = [];
  for (const consumer of (registry.consumers ?? []) as Record<string, any>[]) {
    const id = String(consumer.id);
    const isPublic = consumer.kind === 'PUBLIC';
    const agency = consumer.agency ? String(consumer.agency) : undefined;
    if (isPublic) views.push({ id, consumer: id, isPublic });
    else
      for (const purpose of (consumer.purposes ?? []) as string[])
        views.push({ id: `${id}/${purpose}`, consumer: id, purpose, ...(agency ? { agency } : {}), isPublic });
  }
  return views;
}
