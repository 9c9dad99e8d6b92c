import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { PolicyViews, View } from './policyViews';
import { scanResponse, scanText, type ReceivedResponse } from './scanChannels';
import type { Canary, CanaryRegistry } from './seedCanaries';
import { withheldButPresent } from './withheldFields';

/** One thing a view received that it may not read. */
export interface Finding {
  view: string;
  /** `cursor …`, `header …`, `body …`, `errors …`, `… (base64url-decoded …)`, `structural …` */
  channel: string;
  /** The field the canary was seeded into (and fields whose values contain it). */
  coordinate: string;
  agency: string;
  /** The canary seen (or, structurally, the value). */
  canary: string;
  row?: number;
  districtCode?: string;
  why: string;
  request: string;
  excerpt: string;
}

/**
 * Judges what a view received against what its policies let it read (PolicyViews, parsed from the
 * YAML files): a canary of a field the view may not read, of a field it may read only masked (masks
 * never reproduce a mark), or of a row outside its grant's scope, is a finding; so is a non-null
 * value at a field the view may not read at all.
 */
export class CanaryOracle {
  /** Sightings the view was entitled to (the oracle is exercised: owners and grantees do see canaries). */
  readonly entitledSightings = new Map<string, number>();
  private readonly accessCache = new Map<string, ReturnType<PolicyViews['access']>>();

  constructor(
    readonly registry: CanaryRegistry,
    readonly policy: PolicyViews,
    readonly schema: GraphQLSchema,
    private readonly now = Date.now(),
  ) {}

  access(view: View, coordinate: string): ReturnType<PolicyViews['access']> {
    const key = `${view.id}\u0000${coordinate}`;
    let access = this.accessCache.get(key);
    if (!access) this.accessCache.set(key, (access = this.policy.access(view, coordinate, this.now)));
    return access;
  }

  /** Why `view` may not hold `canary`, or undefined when it may. */
  judge(view: View, canary: Canary): string | undefined {
    if (canary.internal)
      return view.agency === canary.agency
        ? undefined
        : `an internal row key of ${canary.agency} — no other view may see it`;
    const access = this.access(view, canary.coordinate);
    if (access.read === 'none') return `${view.id} may not read ${canary.coordinate} (${access.because})`;
    if (access.read === 'masked')
      return `${view.id} may read ${canary.coordinate} only masked (${access.mask}), and the clear value went out`;
    for (const [attribute, allowed] of Object.entries(access.scope ?? {})) {
      if (canary.scope[attribute] !== allowed)
        return `${view.id} may read ${canary.coordinate} only where ${attribute} = ${allowed}; this row has ${canary.scope[attribute]}`;
    }
    return undefined;
  }

  /** Findings in one HTTP response received by `view`; `operation` adds the structural check of its `data`. */
  inspectResponse(
    view: View,
    request: string,
    response: ReceivedResponse,
    operation?: { document: DocumentNode | string },
  ): Finding[] {
    const findings = this.judgeSightings(view, request, scanResponse(this.registry, response));
    if (operation) {
      let data: unknown;
      try {
        data = (JSON.parse(response.bodyText) as { data?: unknown }).data;
      } catch {
        data = undefined;
      }
      let document: DocumentNode | undefined;
      try {
        document = typeof operation.document === 'string' ? parse(operation.document) : operation.document;
      } catch {
        document = undefined;
      }
      if (document && data) {
        for (const present of withheldButPresent(
          this.schema,
          document,
          data,
          (coordinate) => this.access(view, coordinate).read === 'none',
        )) {
          findings.push({
            view: view.id,
            channel: `structural data.${present.path}`,
            coordinate: present.coordinate,
            agency: (this.policy.resolvers.get(present.coordinate) ?? []).join('+'),
            canary: JSON.stringify(present.value).slice(0, 60),
            why: `${view.id} may not read ${present.coordinate} (${this.access(view, present.coordinate).because}), yet the answer holds a value there`,
            request,
            excerpt: '',
          });
        }
      }
    }
    return findings;
  }

  /** Findings in any other text a view can read (a log line is read by every view: pass a view none may use). */
  inspectText(view: View, request: string, text: string, channel: string): Finding[] {
    return this.judgeSightings(view, request, scanText(this.registry, text, channel));
  }

  private judgeSightings(view: View, request: string, sightings: ReturnType<typeof scanText>): Finding[] {
    const findings: Finding[] = [];
    for (const sighting of sightings) {
      const why = this.judge(view, sighting.canary);
      if (!why) {
        this.entitledSightings.set(view.id, (this.entitledSightings.get(view.id) ?? 0) + 1);
        continue;
      }
      const { canary } = sighting;
      findings.push({
        view: view.id,
        channel: sighting.channel,
        coordinate: [canary.coordinate, ...canary.alsoIn].join(' / '),
        agency: canary.agency,
        canary: canary.mark,
        row: canary.row,
        ...(canary.scope.districtCode ? { districtCode: canary.scope.districtCode } : {}),
        why,
        request,
        excerpt: sighting.excerpt,
      });
    }
    return findings;
  }
}

/** Channel kinds for the summary: `cursor`, `cursor (decoded)`, `header`, `body`, `errors`, `structural`… */
export function channelKind(channel: string): string {
  const head = channel.split(' ')[0]!;
  return /decoded|gunzipped|inflated/.test(channel) ? `${head} (decoded)` : head;
}

/** A report a failing test prints: totals per view, channel and field, then the first findings in full. */
export function formatFindings(findings: readonly Finding[], first = 8): string {
  if (!findings.length) return 'no findings';
  const totals = new Map<string, { count: number; canaries: Set<string> }>();
  for (const f of findings) {
    const key = `${f.view} | ${channelKind(f.channel)} | ${f.coordinate}`;
    const entry = totals.get(key) ?? { count: 0, canaries: new Set<string>() };
    entry.count++;
    entry.canaries.add(f.canary);
    totals.set(key, entry);
  }
  const lines = [`${findings.length} finding(s):`];
  for (const [key, { count, canaries }] of [...totals].sort((a, b) => b[1].count - a[1].count))
    lines.push(`  ${key}: ${count} sighting(s) of ${canaries.size} distinct value(s)`);
  lines.push(`first ${Math.min(first, findings.length)}:`);
  for (const f of findings.slice(0, first)) {
    lines.push(
      `- [${f.view}] ${f.coordinate} (${f.agency}${f.row ? `, row ${f.row}` : ''}${f.districtCode ? `, district ${f.districtCode}` : ''}) = ${f.canary}`,
      `    channel: ${f.channel}`,
      `    why:     ${f.why}`,
      ...(f.excerpt ? [`    seen:    ${f.excerpt}`] : []),
      `    request: ${f.request}`,
    );
  }
  return lines.join('\n');
}
