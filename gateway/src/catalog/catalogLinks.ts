/**
 * The one stable address of a field's catalog entry: `/catalog#Type.field` (every field row is
 * its own anchor; the page itself answers in the reader's language). Denials and docs link here.
 */
export function catalogUrl(coordinate: string): string {
  return `/catalog#${coordinate}`;
}

/** The admin route that files a grant request (adminRoutes.ts): what a denial tells the consumer to call. */
export const GRANT_REQUEST_ROUTE = '/admin/grant-requests';
