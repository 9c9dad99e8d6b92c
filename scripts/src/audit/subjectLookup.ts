// The gateway's and the kit's folders, not their indexes: a lookup must not load Apollo or Fastify.
import { loadGatewayConfig } from '@cdo-hub/gateway/config';
import { SubjectIndex, type SubjectRead } from '@cdo-hub/gateway/accessLog';
import { readSubjectKey, subjectDigest } from '@cdo-hub/contracts/subjects';
import { AGENCIES } from '@cdo-hub/subgraph-kit/agencies';
import { isValidResidentId, isValidUscc } from '@cdo-hub/subgraph-kit/identifiers';

/** `hub audit subject` will not look this up: the catalogued code and why (stderr, exit 2). */
export class SubjectLookupRefusal extends Error {
  constructor(
    readonly code: 'UNKNOWN_AGENCY' | 'INVALID_IDENTIFIER',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/**
 * Who read a subject's records at one agency: the identifier (a resident ID number or a USCC,
 * check character verified) is digested with the agency's subject key, exactly as the agency
 * digests the records it returns, and looked up in the subject index, caught up with the trail first.
 */
export function lookUpSubject(
  options: { agency: string; id: string; dir?: string },
  env: NodeJS.ProcessEnv = process.env,
): SubjectRead[] {
  const agency = AGENCIES.find((known) => known.id === options.agency);
  if (!agency)
    throw new SubjectLookupRefusal(
      'UNKNOWN_AGENCY',
      `no agency "${options.agency}"; known: ${AGENCIES.map((known) => known.id).join(', ')}`,
    );
  const id = options.id.trim().toUpperCase();
  if (!isValidResidentId(id) && !isValidUscc(id))
    throw new SubjectLookupRefusal(
      'INVALID_IDENTIFIER',
      '--id must be a resident ID number (GB 11643) or a unified social credit code (GB 32100), check character included',
    );
  const config = loadGatewayConfig(env);
  const digest = subjectDigest(readSubjectKey(agency.id, env, config.production), id);
  const index = SubjectIndex.open(options.dir ?? config.auditDir);
  try {
    index.catchUp();
    return index.lookup([{ agency: agency.id, digest }]);
  } finally {
    index.close();
  }
}

/** One line per read: when (UTC), who, for what and which case, which record and fields, under which grants, the request. */
export function formatSubjectRead(read: SubjectRead): string {
  const fields = [
    read.released.length ? `released ${read.released.join(' ')}` : '',
    read.masked.length ? `masked ${read.masked.join(' ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `${read.time.slice(0, 19)}Z ${read.consumer} (${read.purpose ?? 'no purpose'}${read.case ? `, case ${read.case}` : ''}) ${read.agency} ${read.type}: ${fields}${read.grants.length ? ` [${read.grants.join(' ')}]` : ''} request ${read.requestId}`;
}
