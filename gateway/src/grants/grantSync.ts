import type { Logger } from 'pino';
import type { AuditStore, GrantDecisionEntry } from '../audit';
import type { PolicyRuntime } from '../policy';
import type { GrantStore } from './grantStore';
import { runtimeGrantInputs } from './grantViews';
import type { GrantEvent, GrantStoreState } from './model';

/**
 * The trail's note of the last workflow step it holds (`{storeId, seq}`, kept with each chain: the
 * file `grant-events-cursor.meta` of a JSONL trail). `hub restore` moves it to a restored store.
 */
export const GRANT_EVENTS_CURSOR = 'grant-events-cursor';

/**
 * Keeps a gateway in step with the grant store: on every change (this gateway's admin API, the
 * CLI, another gateway) the store's grants in force are recompiled into the policies, and every
 * workflow step not yet in this gateway's audit trail is appended to it. A cursor kept with the
 * trail says how far the trail has got, so steps taken while no gateway ran are audited at the
 * next start.
 */
export class GrantSync {
  private queue: Promise<void> = Promise.resolve();
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly store: GrantStore,
    private readonly policies: PolicyRuntime,
    private readonly audit: AuditStore | undefined,
    private readonly logger: Logger,
  ) {}

  /** Applies the store once, then follows it. */
  async start(): Promise<void> {
    await this.sync(await this.store.read());
    this.unwatch = this.store.watch((state) => void this.sync(state));
  }

  /** Applies a state (serialised: one sync at a time, in order). */
  sync(state?: GrantStoreState): Promise<void> {
    this.queue = this.queue
      .then(async () => this.apply(state ?? (await this.store.read())))
      .catch((error: unknown) => this.logger.error({ err: error }, 'grant store sync failed'));
    return this.queue;
  }

  close(): void {
    this.unwatch?.();
  }

  private async apply(state: GrantStoreState): Promise<void> {
    const outcome = this.policies.reload({ runtimeGrants: runtimeGrantInputs(state, this.store.location) });
    for (const problem of outcome.problems.filter((p) => p.location.file.startsWith(`${this.store.location}#`))) {
      this.logger.warn({ grant: problem.location.file.split('#')[1] }, problem.message);
    }
    if (!this.audit) return;
    const cursor = await this.readCursor();
    const from = cursor.storeId === state.storeId ? cursor.seq : 0;
    const pending = state.events.filter((e) => e.seq > from);
    if (!pending.length) return;
    const policyVersion = this.policies.current().version;
    await Promise.all(pending.map((e) => this.audit!.append(grantStepRecord(state.storeId, e, policyVersion))));
    await this.audit.setMeta(
      GRANT_EVENTS_CURSOR,
      JSON.stringify({ storeId: state.storeId, seq: pending[pending.length - 1]!.seq }),
    );
  }

  private async readCursor(): Promise<{ storeId: string; seq: number }> {
    try {
      const text = await this.audit!.getMeta(GRANT_EVENTS_CURSOR);
      return text ? (JSON.parse(text) as { storeId: string; seq: number }) : { storeId: '', seq: 0 };
    } catch {
      return { storeId: '', seq: 0 }; // audited again; the report counts each step once
    }
  }
}

/** The audit record of one workflow step of a store: its request id names the store and the step. */
export function grantStepRecord(storeId: string, step: GrantEvent, policyVersion: string): GrantDecisionEntry {
  return {
    kind: 'grant',
    time: step.at,
    requestId: `grant:${storeId}:${step.seq}`,
    action: step.action,
    actor: step.actor,
    agency: step.agency,
    consumer: step.consumer,
    purpose: step.purpose,
    fields: step.fields,
    grantRequest: step.requestId,
    ...(step.grantId ? { grantId: step.grantId } : {}),
    ...(step.reason ? { reason: step.reason } : {}),
    policyVersion,
  };
}
