import { AgencyDatabase } from '@cdo-hub/subgraph-kit/database';
import { agencyDatabaseFile } from '@cdo-hub/subgraph-kit/paths';
import { existsSync } from 'node:fs';
import { selectAgencies } from './seedAgencies';

/**
 * `hub seed --update`: what a nightly batch load does to the agencies' databases, written straight
 * into them (not through the subgraphs) — enrolments recounted, prices observed, project statuses
 * moved on — so the change capture and the gateways' cache invalidation can be seen working on
 * changes no resolver made. Deterministic per run number; returns one line per change set.
 */
export function nightlyUpdate(options: {
  agencies?: readonly string[];
  env?: NodeJS.ProcessEnv;
  limit?: number;
}): string[] {
  const env = options.env ?? process.env;
  const limit = options.limit ?? 5;
  const lines: string[] = [];
  for (const agency of selectAgencies(options.agencies)) {
    const file = agencyDatabaseFile(agency, env);
    if (!existsSync(file)) throw new Error(`${file} does not exist: run \`npm run hub -- seed\` first`);
    const db = new AgencyDatabase(file);
    try {
      db.transaction(() => {
        switch (agency.id) {
          case 'education': {
            const codes = db
              .all<{ code: string }>('SELECT code FROM schools ORDER BY code LIMIT ?', [limit])
              .map((r) => r.code);
            for (const code of codes) db.run('UPDATE schools SET enrolment = enrolment + 1 WHERE code = ?', [code]);
            lines.push(`education: enrolment recounted at ${codes.length} school(s): ${codes.join(', ')}`);
            break;
          }
          case 'development-reform': {
            const ids = db
              .all<{ id: string }>('SELECT id FROM price_observations ORDER BY id LIMIT ?', [limit * 4])
              .map((r) => r.id);
            for (const id of ids)
              db.run('UPDATE price_observations SET price = round(price * 1.01, 2) WHERE id = ?', [id]);
            const projects = db
              .all<{ code: string }>(
                "SELECT code FROM investment_projects WHERE status = 'APPROVED' ORDER BY code LIMIT ?",
                [limit],
              )
              .map((r) => r.code);
            for (const code of projects)
              db.run("UPDATE investment_projects SET status = 'UNDER_CONSTRUCTION' WHERE code = ?", [code]);
            lines.push(
              `development-reform: ${ids.length} price observation(s) revised; ${projects.length} project(s) now under construction: ${projects.join(', ')}`,
            );
            break;
          }
          case 'science': {
            const contracts = db
              .all<{ registration_number: string }>(
                'SELECT registration_number FROM technology_contracts ORDER BY registration_number LIMIT ?',
                [limit],
              )
              .map((r) => r.registration_number);
            for (const number of contracts)
              db.run('UPDATE technology_contracts SET amount = round(amount * 1.02, 2) WHERE registration_number = ?', [
                number,
              ]);
            lines.push(`science: ${contracts.length} technology contract amount(s) corrected`);
            break;
          }
          default:
            lines.push(`${agency.id}: no nightly load defined`);
        }
      });
    } finally {
      db.close();
    }
  }
  return lines;
}
