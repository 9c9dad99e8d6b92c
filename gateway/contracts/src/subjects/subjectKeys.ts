import { readFileSync } from 'node:fs';

/**
 * The variable holding an agency's subject key: `education` → `EDUCATION_SUBJECT_KEY` (or a file
 * named by `EDUCATION_SUBJECT_KEY_FILE`). The agency digests its subjects with it; the hub's CLI
 * (`hub audit subject`) and the transparency page digest a looked-up identifier with the same key.
 */
export function subjectKeyVariable(agency: string): string {
  return `${agency.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_SUBJECT_KEY`;
}

/**
 * A key anyone can read in this source: good for `npm start` on a laptop with synthetic data, and
 * refused in production, where each agency's key is a secret of its own.
 */
export function developmentSubjectKey(agency: string): string {
  return `cdo-hub development subject key of ${agency} (not for production)`;
}

/**
 * The agency's subject key from the environment (or the file it names); the development key when
 * neither is set, unless `production`, where that is refused naming the variable. At least 32
 * characters.
 */
export function readSubjectKey(agency: string, env: NodeJS.ProcessEnv, production: boolean): string {
  const name = subjectKeyVariable(agency);
  const file = env[`${name}_FILE`];
  const key = env[name] || (file ? readFileSync(file, 'utf8').trim() : '');
  if (!key) {
    if (production)
      throw new Error(
        `${name} (or ${name}_FILE) is not set: in production each agency digests its subjects with a key of its own`,
      );
    return developmentSubjectKey(agency);
  }
  if (key.length < 32) throw new Error(`${name} must be at least 32 characters`);
  // The published development key set by hand is no secret either.
  if (production && key === developmentSubjectKey(agency))
    throw new Error(
      `${name} is the development key, published in the source: in production give the agency a key of its own`,
    );
  return key;
}
