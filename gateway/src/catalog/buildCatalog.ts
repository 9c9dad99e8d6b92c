import { getNamedType, isEnumType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType } from 'graphql';
import type { PolicySet } from '../policy';
import { NO_CATALOG_METADATA, type CatalogMetadata } from './loadCatalogMetadata';
import type { FieldMetadata } from './metadataModel';

/** One field of the city's data resource directory: what it is and how its agency shares it — never a value. */
export interface CatalogField {
  /** `School.name`: the anchor of its entry (`/catalog#School.name`). */
  coordinate: string;
  name: string;
  type: string;
  description?: string;
  sharingClass: string;
  level: string;
  open: string;
  /** Why it is not shared (NOT_SHARED) or other notes from the policy. */
  legalBasis?: string;
  /** Classed on the field itself, by its type's default, or not at all (secure default). */
  origin: 'field' | 'type-default' | 'unclassified';
  /** Minimum cell size of this count (or of this connection's totalCount): smaller counts are withheld. */
  minCount?: number;
  /** Arguments read like values (docs/security/arguments-and-counts.md): over which fields, or with which class. */
  arguments?: { name: string; reads: string }[];
  /** Chinese name, description, steward, update frequency and source system from `schema/catalog/<agency>.yaml`. */
  nameZh?: string;
  descriptionZh?: string;
  steward?: FieldMetadata['steward'];
  updateFrequency?: FieldMetadata['updateFrequency'];
  sourceSystem?: string;
  /** Set when the agency's metadata file does not name the field: it is shown by its English name. */
  metadataMissing?: true;
  /** Consumers holding a grant for it now: for which purposes, until when, masked how, for which rows. */
  grants: {
    id: string;
    consumer: string;
    purposes: string[];
    expires: string;
    mask?: string;
    scope?: Record<string, string>;
  }[];
}

export interface CatalogType {
  name: string;
  nameZh?: string;
  kind: 'object' | 'interface' | 'union' | 'enum';
  description?: string;
  descriptionZh?: string;
  fields: CatalogField[];
}

export interface CatalogAgency {
  id: string;
  name: string;
  nameZh?: string;
  types: CatalogType[];
}

export interface Catalog {
  generatedAt: string;
  supergraphVersion: string;
  policyVersion: string;
  agencies: CatalogAgency[];
}

const HIDDEN_TYPES = /^(Query|Mutation|Subscription|PageInfo)$|Connection$|Edge$/;

/**
 * The data catalog, generated from the supergraph and the policies in force: per agency, the
 * types it resolves and each field it resolves with its description, sharing class, level,
 * openness, legal basis, and the grants in force for it. Keys several agencies resolve appear
 * under each. Root and Relay wrapper types are left out (they hold no data of their own). Pure.
 */
export function buildCatalog(
  policySet: PolicySet,
  supergraphVersion: string,
  now: Date,
  metadata: CatalogMetadata = NO_CATALOG_METADATA,
): Catalog {
  const schema = policySet.schema;
  const agencyNames = new Map(
    [...policySet.consumers.consumers.values()].flatMap((c) =>
      c.kind === 'AGENCY' && c.agency ? [[c.agency, c.name] as const] : [],
    ),
  );
  const byAgency = new Map<string, Map<string, CatalogType>>();
  const typeEntry = (agency: string, type: GraphQLNamedType, kind: CatalogType['kind']) => {
    let types = byAgency.get(agency);
    if (!types) byAgency.set(agency, (types = new Map()));
    let entry = types.get(type.name);
    if (!entry) {
      const named = metadata.agencies.get(agency)?.types.get(type.name);
      entry = {
        name: type.name,
        ...(named ? { nameZh: named.nameZh } : {}),
        kind,
        ...(type.description ? { description: type.description } : {}),
        ...(named?.descriptionZh ? { descriptionZh: named.descriptionZh } : {}),
        fields: [],
      };
      types.set(type.name, entry);
    }
    return entry;
  };

  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || HIDDEN_TYPES.test(type.name)) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const agencies = policySet.ownership.resolvers.get(coordinate) ?? [];
        for (const agency of agencies) {
          const classification = policySet.classify(coordinate, agency);
          const grants = policySet.grants
            .filter(
              (g) =>
                g.agency === agency &&
                g.expiresAt > now.getTime() &&
                g.fields.some((f) => f.coordinate === coordinate || (f.fieldName === '*' && f.typeName === type.name)),
            )
            .map((g) => {
              const granted =
                g.fields.find((f) => f.coordinate === coordinate) ?? g.fields.find((f) => f.fieldName === '*');
              return {
                id: g.id,
                consumer: g.consumer,
                purposes: [...g.purposes],
                expires: g.expires,
                ...(granted?.mask
                  ? { mask: granted.mask.kind === 'round' ? `round(${granted.mask.step})` : granted.mask.kind }
                  : {}),
                ...(g.scope ? { scope: { ...g.scope } } : {}),
              };
            });
          typeEntry(agency, type, isObjectType(type) ? 'object' : 'interface').fields.push({
            coordinate,
            name: field.name,
            type: String(field.type),
            ...(field.description ? { description: field.description } : {}),
            ...metadataOf(metadata, agency, coordinate),
            sharingClass: classification.sharingClass,
            level: classification.level,
            open: classification.open,
            ...(classification.legalBasis ? { legalBasis: classification.legalBasis } : {}),
            origin: classification.origin,
            ...(classification.minCount !== undefined ? { minCount: classification.minCount } : {}),
            ...argumentsOf(policySet, coordinate),
            grants,
          });
          // Enums and unions describe values: listed under the agencies whose fields use them.
          const named = getNamedType(field.type);
          if (isEnumType(named) || isUnionType(named)) typeEntry(agency, named, isEnumType(named) ? 'enum' : 'union');
        }
      }
    }
  }
  return {
    generatedAt: now.toISOString(),
    supergraphVersion,
    policyVersion: policySet.version,
    agencies: [...byAgency.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, types]) => ({
        id,
        name: agencyNames.get(id) ?? id,
        ...(metadata.agencies.get(id) ? { nameZh: metadata.agencies.get(id)!.nameZh } : {}),
        types: [...types.values()].sort((a, b) => a.name.localeCompare(b.name)),
      })),
  };
}

/** What the agency's metadata file says of a field; only public words (names, steward, source), never a value. */
function metadataOf(metadata: CatalogMetadata, agency: string, coordinate: string): Partial<CatalogField> {
  const entry = metadata.agencies.get(agency)?.fields.get(coordinate);
  if (!entry) return { metadataMissing: true };
  return {
    nameZh: entry.nameZh,
    ...(entry.descriptionZh ? { descriptionZh: entry.descriptionZh } : {}),
    steward: entry.steward,
    updateFrequency: entry.updateFrequency,
    sourceSystem: entry.sourceSystem,
  };
}

/** The field's arguments that are decided on their own, as the catalog shows them. */
function argumentsOf(policySet: PolicySet, coordinate: string): { arguments?: CatalogField['arguments'] } {
  const rules = policySet.decisiveArguments(coordinate);
  if (!rules.length) return {};
  return {
    arguments: rules.map((rule) => ({
      name: rule.argument,
      reads:
        rule.value.kind === 'over'
          ? `compares against ${rule.value.over.join(', ')}${rule.value.origin === 'inferred' ? ' (inferred)' : ''}`
          : rule.value.kind === 'classed'
            ? rule.value.classifications.map((c) => `${c.sharingClass} ${c.level}`).join(', ')
            : '',
    })),
  };
}
