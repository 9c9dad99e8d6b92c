/**
 * The catalog page's style and script, inline (the page loads nothing from anywhere else).
 * Below 760 px each table row becomes a card whose cells carry their column's name, and long
 * codes wrap: nothing scrolls sideways on a phone.
 */
export const CATALOG_PAGE_STYLE = `
body { font: 15px/1.5 system-ui, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; margin: 0 auto; max-width: 1280px; padding: 1rem 1.5rem 4rem; color: #1d2433; }
header { border-bottom: 1px solid #d5d9e2; margin-bottom: 1rem; position: relative; }
h1 { font-size: 1.6rem; margin: .5rem 0; } h2 { margin-top: 2.5rem; } h3 { margin: 1.5rem 0 .3rem; }
p, td, h2, h3 { overflow-wrap: break-word; }
.language { position: absolute; right: 0; top: .7rem; }
.muted { color: #5c6477; font-weight: normal; font-size: .85em; }
.flag { color: #8a4b00; background: #fff3d6; font-size: .8em; padding: .05rem .3rem; border-radius: 3px; display: inline-block; }
#search { position: sticky; top: 0; background: #fff; padding: .6rem 0; z-index: 1; }
#catalog-search { font: inherit; width: 100%; max-width: 32rem; box-sizing: border-box; padding: .45rem .6rem; border: 1px solid #8a93a6; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #e4e7ee; }
th { font-size: .8rem; letter-spacing: .03em; color: #5c6477; }
tr:target { background: #fff6d6; }
.field-name { font-weight: 600; }
.class { font-size: .8rem; font-weight: 600; padding: .1rem .35rem; border-radius: 3px; white-space: nowrap; }
.unconditional { background: #dff3e4; color: #14532d; } .conditional { background: #fdf0d5; color: #713f12; } .not_shared { background: #fde2e1; color: #7f1d1d; }
.grants { margin: 0; padding-left: 1rem; } a { color: #1f4fb8; }
button { font: inherit; font-size: .85rem; padding: .2rem .6rem; margin-top: .3rem; border: 1px solid #1f4fb8; color: #1f4fb8; background: #fff; border-radius: 4px; cursor: pointer; }
dialog { max-width: min(36rem, calc(100vw - 2rem)); box-sizing: border-box; border: 1px solid #8a93a6; border-radius: 6px; }
dialog input, dialog textarea { font: inherit; width: 100%; box-sizing: border-box; }
#request-outcome:empty { display: none; }
[hidden] { display: none !important; }
@media (max-width: 760px) {
  body { padding: .5rem .8rem 3rem; }
  .language { position: static; text-align: right; }
  table, thead, tbody, tr, th, td { display: block; width: auto; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  tr { border: 1px solid #d5d9e2; border-radius: 6px; margin: .6rem 0; padding: .3rem .2rem; }
  td { border: none; padding: .2rem .5rem; }
  td:empty { display: none; }
  code, p, td, h2, h3 { overflow-wrap: anywhere; }
  td[data-label]:not(:first-child)::before { content: attr(data-label); display: block; font-size: .75rem; color: #5c6477; }
}
`;

/** Filters rows as the reader types (the server applied `?q=` already); files grant requests with the reader's own token. */
export const CATALOG_PAGE_SCRIPT = `
(() => {
  const text = JSON.parse(document.getElementById('catalog-text').textContent);
  const fill = (template, values) => template.replace(/\\{(\\w+)\\}/g, (slot, name) => (name in values ? String(values[name]) : slot));
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
    count.textContent = words.length ? fill(text.matches, { shown, total: rows.length }) : fill(text.total, { total: rows.length });
  };
  input.addEventListener('input', filter);
  filter();

  // Grant requests: the reader's token stays in this tab's session storage and goes out only as a
  // bearer header to this gateway's admin API (no cookie, so no cross-site request can use it).
  const TOKEN = 'cdo-hub.token', PURPOSE = 'cdo-hub.purpose';
  const dialog = document.getElementById('request-dialog');
  const outcome = document.getElementById('request-outcome');
  const tokenRow = document.getElementById('request-token-row');
  const signedIn = document.getElementById('signed-in');
  let target;
  const showIdentity = () => {
    const token = sessionStorage.getItem(TOKEN);
    signedIn.hidden = !token;
    signedIn.querySelector('span').textContent = token ? text.signedInAs : '';
    tokenRow.hidden = Boolean(token);
  };
  document.getElementById('sign-out').addEventListener('click', () => { sessionStorage.removeItem(TOKEN); showIdentity(); });
  for (const button of document.querySelectorAll('button.request')) {
    button.addEventListener('click', () => {
      target = { coordinate: button.dataset.coordinate, agency: button.dataset.agency };
      document.getElementById('request-coordinate').textContent = target.coordinate;
      document.getElementById('request-purpose').value = sessionStorage.getItem(PURPOSE) || '';
      outcome.textContent = '';
      showIdentity();
      dialog.showModal();
    });
  }
  document.getElementById('request-cancel').addEventListener('click', () => dialog.close());
  document.getElementById('request-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const pasted = document.getElementById('request-token').value.trim().replace(/^Bearer\\s+/i, '');
    if (pasted) sessionStorage.setItem(TOKEN, pasted);
    const token = sessionStorage.getItem(TOKEN);
    const purpose = document.getElementById('request-purpose').value.trim();
    sessionStorage.setItem(PURPOSE, purpose);
    const response = await fetch('/admin/grant-requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
      body: JSON.stringify({ fields: [target.coordinate], agency: target.agency, purpose, reason: document.getElementById('request-reason').value.trim() }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok && body.request) {
      outcome.textContent = fill(text.filed, { id: body.request.id, deadline: body.request.deadline });
    } else {
      const error = (body.errors || [])[0] || {};
      outcome.textContent = (error.extensions && error.extensions.code ? error.extensions.code + ': ' : '') + (error.message || response.status);
      if (response.status === 401) sessionStorage.removeItem(TOKEN);
    }
    showIdentity();
  });
  showIdentity();
})();
`;
