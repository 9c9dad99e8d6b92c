import type { Catalog, CatalogField } from './buildCatalog';
import { SHARING_CLASS_LABELS, UPDATE_FREQUENCY_LABELS, type CatalogLanguage } from './catalogLanguage';

/** A catalog field as `/catalog.json` sends it: every language-neutral key, plus its labels in the reader's language. */
export interface LocalizedCatalogField extends CatalogField {
  /** The name to show: the Chinese name in Chinese (the English name when the metadata has none), the field name in English. */
  label: string;
  sharingClassLabel: string;
  updateFrequencyLabel?: string;
}

export interface LocalizedCatalog extends Omit<Catalog, 'agencies'> {
  lang: CatalogLanguage;
  /** The search the answer was cut down to (`?q=`), if any. */
  query?: string;
  fieldCount: number;
  agencies: (Omit<Catalog['agencies'][number], 'types'> & {
    label: string;
    types: (Omit<Catalog['agencies'][number]['types'][number], 'fields'> & {
      label: string;
      fields: LocalizedCatalogField[];
    })[];
  })[];
}

/** Adds the reader's labels to a catalog; keys and values stay as they are, so a client can rely on them in either language. Pure. */
export function localizeCatalog(catalog: Catalog, lang: CatalogLanguage, query?: string): LocalizedCatalog {
  const chinese = lang === 'zh-CN';
  const localized: LocalizedCatalog = {
    ...catalog,
    lang,
    ...(query ? { query } : {}),
    fieldCount: 0,
    agencies: catalog.agencies.map((agency) => ({
      ...agency,
      label: chinese ? (agency.nameZh ?? agency.name) : agency.name,
      types: agency.types.map((type) => ({
        ...type,
        label: chinese ? (type.nameZh ?? type.name) : type.name,
        fields: type.fields.map((field) => ({
          ...field,
          label: chinese ? (field.nameZh ?? field.name) : field.name,
          sharingClassLabel: SHARING_CLASS_LABELS[lang][field.sharingClass] ?? field.sharingClass,
          ...(field.updateFrequency
            ? { updateFrequencyLabel: UPDATE_FREQUENCY_LABELS[lang][field.updateFrequency] }
            : {}),
        })),
      })),
    })),
  };
  localized.fieldCount = localized.agencies.reduce((n, a) => n + a.types.reduce((m, t) => m + t.fields.length, 0), 0);
  return localized;
}
