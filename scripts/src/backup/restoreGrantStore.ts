import { auditChainDirs, readAuditChains } from '@cdo-hub/gateway/audit';
import { GRANT_EVENTS_CURSOR, type GrantStoreState } from '@cdo-hub/gateway/grants';
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { replaceTextDurably } from './backupFiles';

/**
 * A grant store restored from a backup is an older copy of the store the audit trail knows: every
 * workflow step taken after the backup is in the trail (as `grant:<store id>:<step>`) and not in
 * the copy. Under the same id, the next step would take the number of a lost one — the gateways'
 * audit cursor, already past it, would never audit it, and the report would take one for the
 * other. So the restored store gets a new id; each trail chain's cursor that followed the old id
 * is moved to the new one at the last step both hold, so the restored steps are not audited twice.
 */
export function renumberRestoredStore(state: GrantStoreState): { restored: GrantStoreState; lastStep: number } {
  return { restored: { ...state, storeId: randomUUID() }, lastStep: state.events.at(-1)?.seq ?? 0 };
}

/**
 * Moves the grant cursor of every chain of a JSONL trail (`<chain>/grant-events-cursor.meta`,
 * `{storeId, seq}`) from the old store id to the new: to the last step both the chain and the
 * restored store hold. Chains that follow another store are left alone. Returns how many moved.
 */
export function moveGrantCursors(auditDir: string, from: string, to: string, lastStep: number): number {
  if (!existsSync(auditDir)) return 0;
  let moved = 0;
  for (const chain of auditChainDirs(auditDir)) {
    const path = join(chain, `${GRANT_EVENTS_CURSOR}.meta`);
    if (!existsSync(path)) continue;
    let cursor: { storeId?: unknown; seq?: unknown };
    try {
      cursor = JSON.parse(readFileSync(path, 'utf8')) as typeof cursor;
    } catch {
      continue; // unreadable: the gateway audits the store's steps again, which loses none
    }
    if (cursor.storeId !== from || typeof cursor.seq !== 'number') continue;
    replaceTextDurably(path, JSON.stringify({ storeId: to, seq: Math.min(cursor.seq, lastStep) }));
    moved++;
  }
  return moved;
}

/** A workflow step the audit trail holds for a store, past a given step. */
export interface LaterStep {
  step: number;
  time: string;
  action: string;
  grant: string;
  actor: string;
  agency: string;
  consumer: string;
  reason?: string;
}

/** The steps of store `storeId` that the trail in `auditDir` recorded after step `lastStep`, in order. */
export async function stepsAfter(auditDir: string, storeId: string, lastStep: number): Promise<LaterStep[]> {
  if (!existsSync(auditDir)) return [];
  const prefix = `grant:${storeId}:`;
  const steps = new Map<number, LaterStep>();
  for await (const record of readAuditChains(auditDir)) {
    if (record.kind !== 'grant' || !record.requestId.startsWith(prefix)) continue;
    const step = Number(record.requestId.slice(prefix.length));
    if (!Number.isInteger(step) || step <= lastStep) continue;
    steps.set(step, {
      step,
      time: record.time,
      action: record.action,
      grant: record.grantId ?? record.grantRequest,
      actor: record.actor,
      agency: record.agency,
      consumer: record.consumer,
      ...(record.reason ? { reason: record.reason } : {}),
    });
  }
  return [...steps.values()].sort((a, b) => a.step - b.step);
}

export function formatLaterStep(step: LaterStep): string {
  return `  ${step.time} step ${step.step}: ${step.action} ${step.grant} (${step.agency} → ${step.consumer}) by ${step.actor}${step.reason ? `: ${JSON.stringify(step.reason)}` : ''}`;
}
