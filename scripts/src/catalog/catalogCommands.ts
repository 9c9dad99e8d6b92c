import { buildCatalog, catalogFields, fieldsWithoutMetadata, loadCatalogMetadata } from '@cdo-hub/gateway/catalog';
import { formatProblem, loadPolicySet, type PolicyProblem } from '@cdo-hub/gateway/policy';
import { loadGatewayConfig } from '@cdo-hub/gateway/config';
import { loadServedSupergraph } from '@cdo-hub/gateway/registry';

export interface CatalogCheckReport {
  /** Problems in the metadata files (file:line), as the gateway would log them. */
  problems: PolicyProblem[];
  /** Fields the catalog lists that no metadata file names: shown by their English name, flagged. */
  unnamed: { agency: string; coordinate: string }[];
  fields: number;
}

/**
 * `hub catalog check`: every catalog metadata file (`schema/catalog/<agency>.yaml`) against the
 * served supergraph, and every field the catalog lists against the metadata — a field an agency
 * added to its subgraph but not to its metadata is reported, so it is named before it is published.
 */
export async function checkCatalog(env: NodeJS.ProcessEnv = process.env): Promise<CatalogCheckReport> {
  const config = loadGatewayConfig(env);
  const supergraph = await loadServedSupergraph(config);
  const metadata = loadCatalogMetadata(config.catalogDir, supergraph.apiSchema, supergraph.ownership);
  const { policySet, problems } = loadPolicySet(
    { policyDir: config.policyDir, consumersFile: config.consumersFile },
    supergraph,
  );
  if (!policySet)
    throw new Error(
      `the policies do not load (hub policy check says why):\n${problems
        .filter((p) => p.severity === 'error')
        .map(formatProblem)
        .join('\n')}`,
    );
  const listed = catalogFields(buildCatalog(policySet, supergraph.version, new Date(), metadata)).map(
    ({ agency, field }) => ({ agency, coordinate: field.coordinate }),
  );
  return { problems: metadata.problems, unnamed: fieldsWithoutMetadata(metadata, listed), fields: listed.length };
}

export function formatCatalogCheck(report: CatalogCheckReport): string {
  const lines = report.problems.map(formatProblem);
  const byAgency = new Map<string, string[]>();
  for (const { agency, coordinate } of report.unnamed)
    byAgency.set(agency, [...(byAgency.get(agency) ?? []), coordinate]);
  for (const [agency, coordinates] of byAgency)
    lines.push(
      `schema/catalog/${agency}.yaml: ${coordinates.length} field(s) without metadata (shown by their English name): ${coordinates.join(', ')}`,
    );
  lines.push(
    report.problems.length || report.unnamed.length
      ? `${report.problems.length} problem(s), ${report.unnamed.length} of ${report.fields} field(s) without metadata`
      : `catalog OK: all ${report.fields} fields named, with steward, update frequency and source system`,
  );
  return lines.join('\n');
}
