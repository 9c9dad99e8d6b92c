import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { as } from './hubProcess';

/**
 * Load for the crash tests of the audit trail: clients asking agency data in a loop, as four
 * consumers in turn, each answer's request id kept so that a test can look for its record after
 * a gateway or a worker is killed with SIGKILL.
 */

/** What every client asks: education's schools and students, so each answer is audited with agency data. */
const LOAD_QUERY = '{ schools(first: 3) { nodes { name students(first: 2) { nodes { name grade } } } } }';

/** A request with no answer by then counts as cut: a connection handed to a process as it was killed may never be answered. */
const REQUEST_TIMEOUT_MS = 10_000;

const CONSUMERS: [string, string][] = [
  ['district-haidian', 'enrollment-planning'],
  ['city-analytics', 'statistics'],
  ['science', 'industrial-policy'],
  ['development-reform', 'investment-review'],
];

export interface AuditedLoad {
  /** `x-request-id` of every answer that carried data, as they arrive. */
  readonly answered: string[];
  /** Requests that got no answer: connections the kill cut, or given up after REQUEST_TIMEOUT_MS. */
  readonly cut: number;
  /** The consumers' request headers (client n asks with `headers[n % headers.length]`). */
  readonly headers: Record<string, string>[];
  /** Stops every client; resolves once their requests in flight have ended. */
  stop(): Promise<void>;
}

export interface AuditedLoadOptions {
  /** Clients, each on its own connection (a cluster spreads them over its workers). */
  clients?: number;
  /** After a cut request, a client asks again (a cluster restarts its worker) or stops (the one gateway is gone). */
  afterCut: 'retry' | 'stop';
}

export async function startAuditedLoad(url: string, options: AuditedLoadOptions): Promise<AuditedLoad> {
  const headers = await Promise.all(CONSUMERS.map(([consumer, purpose]) => as(consumer, purpose)));
  const answered: string[] = [];
  let cut = 0;
  let running = true;
  const client = async (n: number) => {
    while (running) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          headers: { 'content-type': 'application/json', ...headers[n % headers.length] },
          body: JSON.stringify({ query: LOAD_QUERY }),
        });
        const body = await response.text();
        if (response.status === 200 && body.includes('"data"')) answered.push(response.headers.get('x-request-id')!);
      } catch {
        cut++;
        if (options.afterCut === 'stop') return;
      }
    }
  };
  const clients = Array.from({ length: options.clients ?? 12 }, (_, n) => client(n));
  return {
    answered,
    get cut() {
      return cut;
    },
    headers,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

/** Request ids of every record in one audit trail folder, read straight from its files; none when it does not exist. */
export function auditRequestIds(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith('audit-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line).requestId as string];
      } catch {
        return []; // the torn line the kill may leave behind
      }
    });
}
