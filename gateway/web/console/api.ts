/**
 * The console's only way out: same-origin calls to the gateway's admin API with the CDO's token
 * as a bearer token (no cookies). A refusal comes back as `ApiError` with the catalogue's code.
 */

export interface ListedRequest {
  id: string;
  agency: string;
  consumer: string;
  fields: string[];
  purpose: string;
  reason: string;
  scope?: Record<string, string>;
  until?: string;
  requestedAt: string;
  requestedBy: string;
  deadline: string;
  status: 'pending' | 'approved' | 'refused';
  decision?: { by: string; at: string; reason?: string; grantId?: string };
  overdue: boolean;
  workingDaysLeft?: number;
}

export interface ApprovalChoices {
  requestId: string;
  fields: { coordinate: string; type?: string; sharingClass?: string; level?: string; masks: string[] }[];
  scopeDimensions: string[];
}

export interface RegisteredGrant {
  id: string;
  source: 'policy-file' | 'grant-store';
  location: string;
  consumer: string;
  purposes: string[];
  fields: { coordinate: string; mask?: string }[];
  scope?: Record<string, string>;
  expires: string;
  approvedBy: string;
  status: 'in-force' | 'revoked' | 'expired';
  history: { action: string; at?: string; actor?: string; reason?: string }[];
  requireCase?: boolean;
  casePattern?: string;
  retainDays?: number;
  /** The consumer's deletion attestation once a grant with a retention period has ended. */
  deletion?: { dueBy: string; status: 'due' | 'overdue' | 'attested'; attestedOn?: string };
}

/** A dispute as the admin API lists it (gateway/src/disputes/disputeViews.ts). */
export interface ListedDispute {
  id: string;
  agency: string;
  consumer: string;
  purpose?: string;
  coordinate: string;
  key: string;
  claim: string;
  filedAt: string;
  dueDate: string;
  status: 'open' | 'answered';
  answer?: { outcome: 'confirmed' | 'corrected' | 'rejected'; reason: string; by: string; at: string };
  evidence?: { name: string; bytes: number; sha256: string };
  overdue: boolean;
  workingDaysLeft?: number;
}

/** A deletion attestation owed under an ended grant (gateway/src/grants/retention.ts). */
export interface AttestationDue {
  id: string;
  agency: string;
  consumer: string;
  ended: string;
  how: 'expired' | 'revoked';
  retainDays: number;
  dueBy: string;
  status: 'due' | 'overdue' | 'attested';
}

/** The impact preview of a decision (gateway/src/console/decisionPreview.ts). */
export interface DecisionPreview {
  decision: 'approve' | 'refuse' | 'revoke';
  target: string;
  agency: string;
  consumer: string;
  grantId?: string;
  since: string;
  records: number;
  operations: number;
  notJudged: number;
  auditFromRedis: boolean;
  changes: {
    consumer: string;
    purpose: string | null;
    operation: { hash: string; name: string | null };
    count: number;
    coordinate: string;
    before: string;
    after: string;
    change: string;
    paths: string[];
  }[];
  blanked: {
    consumer: string;
    purpose: string | null;
    operation: { hash: string; name: string | null };
    coordinate: string;
    nulled: string[];
  }[];
  unreachable: {
    consumer: string;
    purpose: string | null;
    operation: { hash: string; name: string | null };
    coordinate: string;
    missing: string[];
  }[];
  parentFields: { typeName: string; coordinates: string[]; missing?: string[]; addable: string[] }[];
}

/** What an approval sends (and its preview asks about). */
export interface ApprovalBody {
  expires: string;
  masks: Record<string, string>;
  scope: Record<string, string>;
  addFields: string[];
}

/** The usage page's data (gateway/src/console/usageView.ts); times in Beijing time. */
export interface UsageView {
  agency: string;
  window: string;
  timeZone: string;
  since: string;
  until: string;
  bucket: 'hour' | 'day';
  buckets: string[];
  requests: number;
  entities: number;
  auditFromRedis: boolean;
  usage: {
    consumer: string;
    purpose: string | null;
    requests: number;
    entities: number;
    partial: number;
    refused: number;
    grants: string[];
    firstSeen: string;
    lastSeen: string;
    perBucket: number[];
    fields: FieldCount[];
    plumbing: FieldCount[];
  }[];
}
export interface FieldCount {
  field: string;
  released: number;
  masked: number;
  denied: number;
}

/** The audit trail's state (gateway/src/audit/trailState.ts); times in Beijing time. */
export interface AuditState {
  chains: {
    chain: string;
    trailId?: string;
    lastCheckpoint?: { seq: number; time: string };
    witnessed?: { seq: number; time: string };
  }[];
  witness: string;
  auditFromRedis: boolean;
  lastVerification?: Verification;
}
export interface Verification {
  at: string;
  by: string;
  chains: {
    chain: string;
    ok: boolean;
    records: number;
    lastSeq: number;
    checkpoints: number;
    problems: string[];
    warnings: string[];
    notes: string[];
    trailId?: string;
    witness: string;
    witnessedSeq?: number;
  }[];
}

/** An agency's schema versions (gateway/src/console/schemaVersionsView.ts). */
export interface SchemaVersions {
  agency: string;
  registry: 'in-use' | 'unused' | 'off';
  servedSupergraph: string;
  supergraphFile?: string;
  versions: {
    version: number;
    author: string;
    publishedAt: string;
    reason: string;
    source: string;
    sdlHash: string;
    supergraphVersion: string;
    served: boolean;
    checks: { passed: true } | { passed: false; errors: string[] };
    restores?: number;
  }[];
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'cdo-console.token';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** What the token says of itself (unverified: only to label the page; the gateway decides). */
export function readToken(token: string): { consumer: string; agencies: string[] } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const json = atob(parts[1]!.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as {
      sub?: string;
      roles?: unknown;
    };
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    return {
      consumer: claims.sub ?? '?',
      agencies: roles.filter((r) => r.startsWith('cdo:')).map((r) => r.slice(4)),
    };
  } catch {
    return undefined;
  }
}

export async function call<T>(token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'omit',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError('NETWORK', String(error));
  }
  const parsed = (await response.json().catch(() => undefined)) as
    { errors?: { message: string; extensions?: { code?: string } }[] } | undefined;
  if (!response.ok) {
    const first = parsed?.errors?.[0];
    throw new ApiError(first?.extensions?.code ?? 'UNKNOWN', first?.message ?? `HTTP ${response.status}`);
  }
  return parsed as T;
}

export const api = {
  requests: (token: string, agency: string) =>
    call<{ requests: ListedRequest[] }>(token, 'GET', `/admin/grant-requests?agency=${encodeURIComponent(agency)}`),
  choices: (token: string, id: string) =>
    call<ApprovalChoices>(token, 'GET', `/admin/grant-requests/${encodeURIComponent(id)}/choices`),
  approve: (
    token: string,
    id: string,
    body: ApprovalBody & { requireCase?: boolean; casePattern?: string; retainDays?: number },
  ) => call<{ grant: { id: string } }>(token, 'POST', `/admin/grant-requests/${encodeURIComponent(id)}/approve`, body),
  approvalImpact: (token: string, id: string, body: ApprovalBody) =>
    call<DecisionPreview>(token, 'POST', `/admin/grant-requests/${encodeURIComponent(id)}/impact`, {
      decision: 'approve',
      ...body,
    }),
  refusalImpact: (token: string, id: string) =>
    call<DecisionPreview>(token, 'POST', `/admin/grant-requests/${encodeURIComponent(id)}/impact`, {
      decision: 'refuse',
    }),
  revocationImpact: (token: string, id: string) =>
    call<DecisionPreview>(token, 'POST', `/admin/grants/${encodeURIComponent(id)}/impact`, {}),
  refuse: (token: string, id: string, reason: string) =>
    call<unknown>(token, 'POST', `/admin/grant-requests/${encodeURIComponent(id)}/refuse`, { reason }),
  revoke: (token: string, id: string, reason: string) =>
    call<unknown>(token, 'POST', `/admin/grants/${encodeURIComponent(id)}/revoke`, { reason }),
  usage: (token: string, agency: string, window: string) =>
    call<UsageView>(
      token,
      'GET',
      `/admin/usage?agency=${encodeURIComponent(agency)}&since=${encodeURIComponent(window)}`,
    ),
  auditState: (token: string, agency: string) =>
    call<AuditState>(token, 'GET', `/admin/audit-state?agency=${encodeURIComponent(agency)}`),
  verifyAudit: (token: string, agency: string) =>
    call<{ lastVerification: Verification }>(
      token,
      'POST',
      `/admin/audit-state/verify?agency=${encodeURIComponent(agency)}`,
      {},
    ),
  schemaVersions: (token: string, agency: string) =>
    call<SchemaVersions>(token, 'GET', `/admin/schema-versions?agency=${encodeURIComponent(agency)}`),
  disputes: (token: string, agency: string) =>
    call<{ disputes: ListedDispute[] }>(token, 'GET', `/admin/disputes?agency=${encodeURIComponent(agency)}`),
  answerDispute: (token: string, id: string, outcome: string, reason: string) =>
    call<{ dispute: ListedDispute }>(token, 'POST', `/admin/disputes/${encodeURIComponent(id)}/answer`, {
      outcome,
      reason,
    }),
  attestations: (token: string, agency: string) =>
    call<{ attestations: AttestationDue[] }>(
      token,
      'GET',
      `/admin/grant-attestations?agency=${encodeURIComponent(agency)}`,
    ),
  register: (token: string, agency: string) =>
    call<{ grants: RegisteredGrant[] }>(token, 'GET', `/admin/grant-register?agency=${encodeURIComponent(agency)}`),
};

/** Pending first — overdue ones, then by deadline — then the decided ones, newest first. */
export function inboxOrder(requests: readonly ListedRequest[]): { pending: ListedRequest[]; decided: ListedRequest[] } {
  const pending = requests
    .filter((r) => r.status === 'pending')
    .sort(
      (a, b) =>
        Number(b.overdue) - Number(a.overdue) || a.deadline.localeCompare(b.deadline) || a.id.localeCompare(b.id),
    );
  const decided = requests
    .filter((r) => r.status !== 'pending')
    .sort((a, b) => (b.decision?.at ?? '').localeCompare(a.decision?.at ?? ''));
  return { pending, decided };
}
