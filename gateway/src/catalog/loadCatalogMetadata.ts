import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isEnumType, isInterfaceType, isObjectType, isUnionType, type GraphQLSchema } from 'graphql';
import { readYamlSource, type SourceLocation, type YamlSource } from '../formats';
import type { PolicyProblem } from '../policy';
import { closest } from '../policy/closestName';
import type { FieldOwnership } from '../supergraph';
import {
  catalogMetadataFileSchema,
  type AgencyMetadata,
  type FieldMetadata,
  type Steward,
  type TypeMetadata,
  type UpdateFrequency,
} from './metadataModel';

export interface CatalogMetadata {
  /** Agency → its metadata; an agency whose file has errors is left out (its fields show as unnamed). */
  agencies: ReadonlyMap<string, AgencyMetadata>;
  problems: PolicyProblem[];
}

export const NO_CATALOG_METADATA: CatalogMetadata = { agencies: new Map(), problems: [] };

/** Reads every `<agency>.yaml` in the catalog folder and checks it against the supergraph. */
export function loadCatalogMetadata(dir: string, schema: GraphQLSchema, ownership: FieldOwnership): CatalogMetadata {
  if (!existsSync(dir)) return NO_CATALOG_METADATA;
  const display = (file: string) => relative(process.cwd(), file) || file;
  const sources = readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => readYamlSource(join(dir, file), display(join(dir, file))));
  return compileCatalogMetadata(sources, schema, ownership);
}

/**
 * Validates metadata files (parsed with positions) against the supergraph: every problem names
 * its file and line, like the policy loader's. A file with an error contributes nothing, so a
 * half-checked name is never shown; an unknown type or field is an error (a typo would otherwise
 * leave the real field unnamed without a word). Pure.
 */
export function compileCatalogMetadata(
  sources: readonly YamlSource[],
  schema: GraphQLSchema,
  ownership: FieldOwnership,
): CatalogMetadata {
  const problems: PolicyProblem[] = [];
  const agencies = new Map<string, AgencyMetadata>();
  for (const source of sources) {
    const fileProblems: PolicyProblem[] = [];
    const error = (location: SourceLocation, message: string, hint?: string) =>
      fileProblems.push({ severity: 'error', location, message, ...(hint ? { hint } : {}) });
    for (const syntax of source.syntaxErrors)
      error({ file: source.file, line: syntax.line }, `YAML: ${syntax.message}`);
    if (source.syntaxErrors.length) {
      problems.push(...fileProblems);
      continue;
    }
    const parsed = catalogMetadataFileSchema.safeParse(source.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        error(source.locate(issue.path as PropertyKey[]), `${issue.path.join('.') || 'file'}: ${issue.message}`);
      problems.push(...fileProblems);
      continue;
    }
    const file = parsed.data;
    const agency = file.agency;
    if (!ownership.agencies.includes(agency)) {
      const guess = closest(agency, ownership.agencies);
      error(
        source.locate(['agency']),
        `agency "${agency}" publishes no subgraph in the supergraph`,
        guess ? `did you mean "${guess}"?` : `agencies: ${ownership.agencies.join(', ')}`,
      );
    } else if (agencies.has(agency)) {
      error(
        source.locate(['agency']),
        `a second metadata file for "${agency}" (the first is ${agencies.get(agency)!.file})`,
      );
    } else if (basename(source.file).replace(/\.ya?ml$/, '') !== agency) {
      error(source.locate(['agency']), `the file for agency "${agency}" must be named ${agency}.yaml`);
    }
    const types = new Map<string, TypeMetadata>();
    const fields = new Map<string, FieldMetadata>();
    for (const [typeName, typeEntry] of Object.entries(file.types)) {
      const typeLocation = source.locate(['types', typeName]);
      const type = schema.getType(typeName);
      if (!type || typeName.startsWith('__')) {
        const guess = closest(
          typeName,
          Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__')),
        );
        error(typeLocation, `unknown type "${typeName}"`, guess ? `did you mean "${guess}"?` : undefined);
        continue;
      }
      const hasFields = isObjectType(type) || isInterfaceType(type);
      if (hasFields && !(ownership.types.get(typeName) ?? []).includes(agency)) {
        error(
          typeLocation,
          `${agency} resolves no field of ${typeName}`,
          `${typeName} is resolved by ${(ownership.types.get(typeName) ?? []).join(', ') || 'no agency'}; an agency names only its own fields`,
        );
        continue;
      }
      if (!hasFields && !isEnumType(type) && !isUnionType(type)) {
        error(typeLocation, `${typeName} is a scalar or input type: the catalog does not list it`);
        continue;
      }
      types.set(typeName, {
        nameZh: typeEntry.name,
        ...(typeEntry.description ? { descriptionZh: typeEntry.description } : {}),
      });
      const schemaFields = hasFields ? type.getFields() : {};
      for (const [fieldName, fieldEntry] of Object.entries(typeEntry.fields)) {
        const location = source.locate(['types', typeName, 'fields', fieldName]);
        const coordinate = `${typeName}.${fieldName}`;
        if (!schemaFields[fieldName]) {
          const guess = closest(fieldName, Object.keys(schemaFields));
          error(location, `unknown field "${coordinate}"`, guess ? `did you mean "${typeName}.${guess}"?` : undefined);
          continue;
        }
        if (!(ownership.resolvers.get(coordinate) ?? []).includes(agency)) {
          error(
            location,
            `${coordinate} is resolved by ${(ownership.resolvers.get(coordinate) ?? []).join(', ') || 'no agency'}, not ${agency}`,
            'each agency names the fields it resolves',
          );
          continue;
        }
        const own = typeof fieldEntry === 'string' ? { name: fieldEntry } : fieldEntry;
        fields.set(coordinate, {
          nameZh: own.name,
          ...('description' in own && own.description ? { descriptionZh: own.description } : {}),
          steward: inherit<Steward>(own, typeEntry, file, 'steward'),
          updateFrequency: inherit<UpdateFrequency>(own, typeEntry, file, 'updateFrequency'),
          sourceSystem: inherit<string>(own, typeEntry, file, 'sourceSystem'),
        });
      }
    }
    problems.push(...fileProblems);
    if (fileProblems.length) continue;
    agencies.set(agency, { agency, nameZh: file.name, file: source.file, steward: file.steward, types, fields });
  }
  return { agencies, problems };
}

function inherit<T>(...levels: [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, string]): T {
  const [field, type, agency, key] = levels;
  return (field[key] ?? type[key] ?? agency[key]) as T;
}

/** Fields the catalog lists that no metadata file names, per agency (`hub catalog check`). */
export function fieldsWithoutMetadata(
  metadata: CatalogMetadata,
  listed: readonly { agency: string; coordinate: string }[],
): { agency: string; coordinate: string }[] {
  return listed.filter(({ agency, coordinate }) => !metadata.agencies.get(agency)?.fields.has(coordinate));
}
