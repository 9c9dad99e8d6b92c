import type { Catalog, CatalogAgency, CatalogField, CatalogType } from './buildCatalog';
import { SHARING_CLASS_LABELS, UPDATE_FREQUENCY_LABELS } from './catalogLanguage';

/**
 * What a search matches a field against, in both languages: its coordinate and names, the
 * descriptions from the schema and from the metadata file, its type's and agency's names, its
 * class (as `CONDITIONAL` and as 有条件共享), level, legal basis, steward, source system, update
 * frequency and the consumers holding grants. Lower-cased; the page's script matches the same text.
 */
export function fieldSearchText(agency: CatalogAgency, type: CatalogType, field: CatalogField): string {
  return [
    field.coordinate,
    field.nameZh,
    field.description,
    field.descriptionZh,
    type.nameZh,
    agency.id,
    agency.nameZh,
    field.sharingClass,
    SHARING_CLASS_LABELS['zh-CN'][field.sharingClass],
    SHARING_CLASS_LABELS.en[field.sharingClass],
    field.level,
    field.legalBasis,
    field.steward?.office,
    field.sourceSystem,
    field.updateFrequency && UPDATE_FREQUENCY_LABELS['zh-CN'][field.updateFrequency],
    ...field.grants.map((g) => g.consumer),
  ]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join(' ')
    .toLowerCase();
}

/** The words of a query: a field matches when its search text holds every one (Chinese needs no spaces: `监护人` is a word). */
export function searchWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

export function fieldMatches(
  words: readonly string[],
  agency: CatalogAgency,
  type: CatalogType,
  field: CatalogField,
): boolean {
  if (!words.length) return true;
  const text = fieldSearchText(agency, type, field);
  return words.every((word) => text.includes(word));
}

/** The catalog cut down to the fields a query matches (types and agencies with none are left out). Pure. */
export function searchCatalog(catalog: Catalog, query: string): Catalog {
  const words = searchWords(query);
  if (!words.length) return catalog;
  return {
    ...catalog,
    agencies: catalog.agencies
      .map((agency) => ({
        ...agency,
        types: agency.types
          .map((type) => ({ ...type, fields: type.fields.filter((field) => fieldMatches(words, agency, type, field)) }))
          .filter((type) => type.fields.length > 0),
      }))
      .filter((agency) => agency.types.length > 0),
  };
}

/** Every field the catalog lists, with its agency: the flat view `/catalog.json?q=` counts and tests read. */
export function catalogFields(catalog: Catalog): { agency: string; field: CatalogField }[] {
  return catalog.agencies.flatMap((agency) =>
    agency.types.flatMap((type) => type.fields.map((field) => ({ agency: agency.id, field }))),
  );
}
