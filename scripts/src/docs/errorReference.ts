import { ERROR_CATALOGUE } from '@cdo-hub/gateway/errors';

/** The error-code table, generated from the gateway's catalogue. */
export function errorCodeTable(): string {
  const rows = Object.entries(ERROR_CATALOGUE).map(
    ([code, entry]) => `| \`${code}\` | ${entry.httpStatus} | ${entry.description.replaceAll('|', '\\|')} |`,
  );
  return ['| code | HTTP status | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
