/**
 * Whether a request's `Accept` asks for CSV: `text/csv` weighs more than every JSON type it also
 * lists (a missing `q` is 1; ties go to JSON, the GraphQL default). `jsonAcceptable` says whether
 * a JSON answer is still welcome when the answer cannot be a table.
 */
export function csvWanted(accept: string | undefined): { csv: boolean; jsonAcceptable: boolean } {
  if (!accept) return { csv: false, jsonAcceptable: true };
  let csv = -1;
  let json = -1;
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParameter = parameters.find((p) => p.startsWith('q='));
    const q = qParameter ? Number(qParameter.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/csv') csv = Math.max(csv, q);
    else if (type === 'application/json' || type === 'application/graphql-response+json' || type === '*/*')
      json = Math.max(json, q);
  }
  return { csv: csv > 0 && csv > json, jsonAcceptable: json > 0 };
}
