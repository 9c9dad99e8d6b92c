import type { Catalog, CatalogAgency, CatalogField, CatalogType } from './buildCatalog';
import {
  OPEN_DATA_LABELS,
  PAGE_TEXT,
  SHARING_CLASS_LABELS,
  UPDATE_FREQUENCY_LABELS,
  fillText,
  type CatalogLanguage,
} from './catalogLanguage';
import { CATALOG_PAGE_SCRIPT, CATALOG_PAGE_STYLE } from './catalogPageAssets';
import { fieldMatches, fieldSearchText, searchWords } from './searchCatalog';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface CatalogPageOptions {
  /** Chinese unless the reader asked for English. */
  lang?: CatalogLanguage;
  /** A search to show already applied (`/catalog?q=`): rows that do not match are hidden by the server, script or not. */
  query?: string;
}

/**
 * The catalog as one plain HTML page: server-rendered, no framework, no external resource; a
 * few lines of script filter the rows as the reader types and file grant requests through the
 * admin API. Every field has its own anchor (`/catalog#Student.name`). On a narrow screen each
 * row becomes a card (no sideways scrolling on a phone). Pure.
 */
export function renderCatalogPage(catalog: Catalog, options: CatalogPageOptions = {}): string {
  const lang = options.lang ?? 'zh-CN';
  const chinese = lang === 'zh-CN';
  const text = PAGE_TEXT[lang];
  const words = searchWords(options.query ?? '');
  const anchored = new Set<string>();
  let total = 0;
  let shown = 0;

  const grantsCell = (field: CatalogField) =>
    field.grants.length
      ? `<ul class="grants">${field.grants
          .map(
            (g) =>
              `<li>${text.grantLine(`<strong>${escape(g.consumer)}</strong>`, g.purposes.map(escape).join(', '), escape(g.expires))}${g.mask ? `, ${text.masked} <code>${escape(g.mask)}</code>` : ''}${
                g.scope
                  ? `, ${text.rows} ${Object.entries(g.scope)
                      .map(([k, v]) => `${escape(k)} ${escape(v)}`)
                      .join(', ')}`
                  : ''
              } <span class="muted">(${escape(g.id)})</span></li>`,
          )
          .join('')}</ul>`
      : '';
  const metadataCell = (field: CatalogField) =>
    field.steward
      ? `<div>${escape(field.steward.office)}</div>${field.steward.phone ? `<div class="muted">☎ ${escape(field.steward.phone)}</div>` : ''}${field.steward.email ? `<div class="muted"><a href="mailto:${escape(field.steward.email)}">${escape(field.steward.email)}</a></div>` : ''}<div class="muted">${text.updateFrequency}: ${escape(UPDATE_FREQUENCY_LABELS[lang][field.updateFrequency!] ?? '')}</div><div class="muted">${text.sourceSystem}: ${escape(field.sourceSystem ?? '')}</div>`
      : '';
  const nameCell = (field: CatalogField, id: string) => {
    const label = chinese ? (field.nameZh ?? field.name) : field.name;
    const second = chinese ? (field.nameZh ? field.name : undefined) : field.nameZh;
    return `<a href="#${escape(id)}" class="field-name">${chinese && field.nameZh ? escape(label) : `<code>${escape(label)}</code>`}</a>${
      second ? `<div class="muted">${chinese ? `<code>${escape(second)}</code>` : escape(second)}</div>` : ''
    }<div class="muted">${escape(field.type)}</div>${field.metadataMissing ? `<div class="flag">${text.noMetadata}</div>` : ''}`;
  };
  const descriptionCell = (field: CatalogField) => {
    const [first, second] = chinese
      ? [field.descriptionZh, field.description]
      : [field.description, field.descriptionZh];
    return `${escape(first ?? '')}${second ? `<div class="muted">${escape(second)}</div>` : ''}`;
  };
  const row = (agency: CatalogAgency, type: CatalogType, field: CatalogField) => {
    const id = anchored.has(field.coordinate) ? `${agency.id}/${field.coordinate}` : field.coordinate;
    anchored.add(field.coordinate);
    total++;
    const match = fieldMatches(words, agency, type, field);
    if (match) shown++;
    const request =
      field.sharingClass === 'CONDITIONAL'
        ? `<div><button type="button" class="request" data-coordinate="${escape(field.coordinate)}" data-agency="${escape(agency.id)}">${text.requestAccess}</button></div>`
        : '';
    const label = (key: string) => ` data-label="${escape(key)}"`;
    return `<tr id="${escape(id)}" data-search="${escape(fieldSearchText(agency, type, field))}"${match ? '' : ' hidden'}>
<td${label(text.field)}>${nameCell(field, id)}</td>
<td${label(text.description)}>${descriptionCell(field)}</td>
<td${label(text.sharingClass)}><span class="class ${escape(field.sharingClass.toLowerCase())}">${escape(SHARING_CLASS_LABELS[lang][field.sharingClass] ?? field.sharingClass)}</span><div class="muted"><code>${escape(field.sharingClass)}</code></div>${field.origin === 'type-default' ? `<div class="muted">${text.typeDefault}</div>` : field.origin === 'unclassified' ? `<div class="muted">${text.unclassified}</div>` : ''}${request}</td>
<td${label(text.level)}>${escape(field.level)}</td>
<td${label(text.openData)}>${escape(OPEN_DATA_LABELS[lang][field.open] ?? field.open)}</td>
<td${label(text.notes)}>${escape(field.legalBasis ?? '')}${field.minCount !== undefined ? `<div class="muted">${text.countsBelow(field.minCount)}</div>` : ''}${(field.arguments ?? []).map((a) => `<div class="muted"><code>${escape(a.name)}</code>: ${escape(a.reads)}</div>`).join('')}</td>
<td${label(text.metadata)}>${metadataCell(field)}</td>
<td${label(text.grants)}>${grantsCell(field)}</td>
</tr>`;
  };
  const typeSection = (agency: CatalogAgency, type: CatalogType) => {
    const rows = type.fields.map((field) => row(agency, type, field)).join('\n');
    const anyShown = !words.length || type.fields.some((field) => fieldMatches(words, agency, type, field));
    const title =
      chinese && type.nameZh ? `${escape(type.nameZh)} <code>${escape(type.name)}</code>` : escape(type.name);
    const [about, aside] = chinese ? [type.descriptionZh, type.description] : [type.description, type.descriptionZh];
    return `<div class="type" id="${escape(agency.id)}-${escape(type.name)}"${anyShown ? '' : ' hidden'}>
<h3>${title} <span class="muted">${escape(type.kind)}${!chinese && type.nameZh ? ` · ${escape(type.nameZh)}` : ''}</span></h3>
${about ? `<p>${escape(about)}${aside ? `<br><span class="muted">${escape(aside)}</span>` : ''}</p>` : ''}
${
  type.fields.length
    ? `<table><thead><tr>${[text.field, text.description, text.sharingClass, text.level, text.openData, text.notes, text.metadata, text.grants].map((h) => `<th scope="col">${escape(h)}</th>`).join('')}</tr></thead>
<tbody>${rows}</tbody></table>`
    : ''
}
</div>`;
  };
  const sections = catalog.agencies
    .map((agency) => {
      const body = agency.types.map((type) => typeSection(agency, type)).join('\n');
      const anyShown =
        !words.length || agency.types.some((t) => t.fields.some((f) => fieldMatches(words, agency, t, f)));
      const name = chinese ? (agency.nameZh ?? agency.name) : agency.name;
      return `<section class="agency" id="agency-${escape(agency.id)}"${anyShown ? '' : ' hidden'}>
<h2>${escape(name)} <span class="muted">(${escape(agency.id)})</span></h2>
${body}
</section>`;
    })
    .join('\n');
  const scriptText = { matches: text.matches, total: text.total, filed: text.filed, signedInAs: text.signedInAs };
  const otherLanguage = chinese ? 'en' : 'zh-CN';
  const query = options.query ?? '';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(text.title)} · cdo-hub</title>
<style>${CATALOG_PAGE_STYLE}</style>
</head>
<body>
<header>
<nav class="language"><a href="?lang=${otherLanguage}${query ? `&amp;q=${encodeURIComponent(query)}` : ''}" hreflang="${otherLanguage}" lang="${otherLanguage}">${text.language}</a></nav>
<h1>${escape(text.title)}</h1>
<p>${escape(text.intro)} ${text.generated} ${escape(catalog.generatedAt)} · ${text.supergraph} <code>${escape(catalog.supergraphVersion)}</code> · ${text.policies} <code>${escape(catalog.policyVersion)}</code> · <a href="/catalog.json?lang=${lang}">catalog.json</a> · <a href="/playground">playground</a></p>
</header>
<form id="search" role="search" action="/catalog" method="get"><label for="catalog-search">${escape(text.search)}</label><br><input id="catalog-search" name="q" type="search" value="${escape(query)}" placeholder="${escape(text.searchHint)}" autocomplete="off"><input type="hidden" name="lang" value="${lang}"><p id="catalog-count" class="muted" aria-live="polite">${escape(words.length ? fillText(text.matches, { shown, total }) : fillText(text.total, { total }))}</p><p id="signed-in" class="muted" hidden><span></span> <button type="button" id="sign-out">${escape(text.signOut)}</button></p></form>
<main>
${sections}
</main>
<dialog id="request-dialog" aria-labelledby="request-title">
<form id="request-form" method="dialog">
<h2 id="request-title">${escape(text.requestAccess)} <code id="request-coordinate"></code></h2>
<p id="request-token-row"><label for="request-token">${escape(text.token)}</label><br><textarea id="request-token" rows="3" autocomplete="off" spellcheck="false"></textarea><br><span class="muted">${escape(text.tokenHint)}</span></p>
<p><label for="request-purpose">${escape(text.purpose)}</label><br><input id="request-purpose" required autocomplete="off"></p>
<p><label for="request-reason">${escape(text.reason)}</label><br><textarea id="request-reason" rows="3" required></textarea></p>
<p id="request-outcome" role="status"></p>
<p><button type="submit" id="request-send">${escape(text.send)}</button> <button type="button" id="request-cancel">${escape(text.cancel)}</button></p>
</form>
</dialog>
<script id="catalog-text" type="application/json">${JSON.stringify(scriptText).replace(/</g, '\\u003c')}</script>
<script>${CATALOG_PAGE_SCRIPT}</script>
</body>
</html>
`;
}
