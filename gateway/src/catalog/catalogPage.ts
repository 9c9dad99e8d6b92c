import type { Catalog, CatalogField } from './buildCatalog';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The catalog as one plain HTML page: server-rendered, no framework, no external resource; a
 * few lines of script filter the rows as the reader types. Every field has its own anchor
 * (`/catalog#Student.name`). Pure.
 */
export function renderCatalogPage(catalog: Catalog): string {
  const anchored = new Set<string>();
  const grantsCell = (field: CatalogField) =>
    field.grants.length
      ? `<ul class="grants">${field.grants
          .map(
            (g) =>
              `<li><strong>${escape(g.consumer)}</strong> for ${g.purposes.map(escape).join(', ')} until ${escape(g.expires)}${g.mask ? `, masked <code>${escape(g.mask)}</code>` : ''}${
                g.scope
                  ? `, rows ${Object.entries(g.scope)
                      .map(([k, v]) => `${escape(k)} ${escape(v)}`)
                      .join(', ')}`
                  : ''
              } <span class="muted">(${escape(g.id)})</span></li>`,
          )
          .join('')}</ul>`
      : '';
  const row = (agency: string, field: CatalogField) => {
    const id = anchored.has(field.coordinate) ? `${agency}/${field.coordinate}` : field.coordinate;
    anchored.add(field.coordinate);
    const search = [
      field.coordinate,
      field.description ?? '',
      field.sharingClass,
      field.level,
      field.legalBasis ?? '',
      ...field.grants.map((g) => g.consumer),
    ]
      .join(' ')
      .toLowerCase();
    return `<tr id="${escape(id)}" data-search="${escape(search)}">
<td><a href="#${escape(id)}"><code>${escape(field.name)}</code></a><div class="muted">${escape(field.type)}</div></td>
<td>${escape(field.description ?? '')}</td>
<td><span class="class ${escape(field.sharingClass.toLowerCase())}">${escape(field.sharingClass)}</span>${field.origin === 'type-default' ? '<div class="muted">type default</div>' : field.origin === 'unclassified' ? '<div class="muted">not classed (secure default)</div>' : ''}</td>
<td>${escape(field.level)}</td>
<td>${escape(field.open)}</td>
<td>${escape(field.legalBasis ?? '')}${field.minCount !== undefined ? `<div class="muted">counts below ${field.minCount} withheld</div>` : ''}${(field.arguments ?? []).map((a) => `<div class="muted"><code>${escape(a.name)}</code>: ${escape(a.reads)}</div>`).join('')}</td>
<td>${grantsCell(field)}</td>
</tr>`;
  };
  const sections = catalog.agencies
    .map(
      (agency) => `<section class="agency" id="agency-${escape(agency.id)}">
<h2>${escape(agency.name)} <span class="muted">(${escape(agency.id)})</span></h2>
${agency.types
  .map(
    (type) => `<div class="type" id="${escape(agency.id)}-${escape(type.name)}">
<h3>${escape(type.name)} <span class="muted">${escape(type.kind)}</span></h3>
${type.description ? `<p>${escape(type.description)}</p>` : ''}
${
  type.fields.length
    ? `<table><thead><tr><th scope="col">field</th><th scope="col">description</th><th scope="col">sharing class</th><th scope="col">level</th><th scope="col">open data</th><th scope="col">legal basis</th><th scope="col">grants in force</th></tr></thead>
<tbody>${type.fields.map((field) => row(agency.id, field)).join('\n')}</tbody></table>`
    : ''
}
</div>`,
  )
  .join('\n')}
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data catalog · cdo-hub</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 4rem; color: #1d2433; }
header { border-bottom: 1px solid #d5d9e2; margin-bottom: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; } h2 { margin-top: 2.5rem; } h3 { margin: 1.5rem 0 .3rem; }
.muted { color: #5c6477; font-weight: normal; font-size: .85em; }
#search { position: sticky; top: 0; background: #fff; padding: .6rem 0; z-index: 1; }
#catalog-search { font: inherit; width: 100%; max-width: 32rem; padding: .45rem .6rem; border: 1px solid #8a93a6; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #e4e7ee; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: #5c6477; }
tr:target { background: #fff6d6; }
.class { font-size: .75rem; font-weight: 600; padding: .1rem .35rem; border-radius: 3px; }
.unconditional { background: #dff3e4; color: #14532d; } .conditional { background: #fdf0d5; color: #713f12; } .not_shared { background: #fde2e1; color: #7f1d1d; }
.grants { margin: 0; padding-left: 1rem; } a { color: #1f4fb8; }
[hidden] { display: none !important; }
</style>
</head>
<body>
<header>
<h1>Data catalog</h1>
<p>The city's data resource directory: every field the agencies publish through cdo-hub, how its agency shares it, and who holds grants for it. It shows no data values. Generated ${escape(catalog.generatedAt)} from supergraph <code>${escape(catalog.supergraphVersion)}</code> and policies <code>${escape(catalog.policyVersion)}</code> · <a href="/catalog.json">catalog.json</a> · <a href="/playground">playground</a></p>
</header>
<div id="search" role="search"><label for="catalog-search">Search fields</label><br><input id="catalog-search" type="search" placeholder="e.g. enrolment, NOT_SHARED, city-analytics" autocomplete="off"><p id="catalog-count" class="muted" aria-live="polite"></p></div>
<main>
${sections}
</main>
<script>
(() => {
  const input = document.getElementById('catalog-search');
  const count = document.getElementById('catalog-count');
  const rows = [...document.querySelectorAll('tr[data-search]')];
  const filter = () => {
    const words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const match = words.every((w) => row.dataset.search.includes(w));
      row.hidden = !match;
      if (match) shown++;
    }
    for (const type of document.querySelectorAll('.type')) type.hidden = words.length > 0 && !type.querySelector('tr[data-search]:not([hidden])');
    for (const agency of document.querySelectorAll('.agency')) agency.hidden = words.length > 0 && !agency.querySelector('.type:not([hidden])');
    count.textContent = words.length ? shown + ' of ' + rows.length + ' fields match' : rows.length + ' fields';
  };
  input.addEventListener('input', filter);
  const query = new URLSearchParams(location.search).get('q');
  if (query) input.value = query;
  filter();
})();
</script>
</body>
</html>
`;
}
