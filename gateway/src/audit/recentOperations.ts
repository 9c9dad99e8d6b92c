import type { RecentOperation } from '../policy';
import { auditChainDirs, readAuditChains } from './auditChains';
import { readOperations } from './trailFiles';

/**
 * The operations consumers sent since `since`, from the audit trail (who sent which operation
 * hash, with which purpose) joined with its operation store (the text, once per hash): what an
 * impact preview replays against a proposed policy. Grant-decision records carry no operation.
 */
export async function recentOperations(
  auditDir: string,
  since: Date,
): Promise<{ operations: RecentOperation[]; records: number }> {
  const senders = new Map<string, Map<string, { consumer: string; purpose: string | null; count: number }>>();
  let records = 0;
  const from = since.toISOString();
  // Every chain: a gateway of several workers keeps one per worker, each with its operation store.
  for await (const record of readAuditChains(auditDir, { since })) {
    if (record.kind === 'grant' || !record.operationHash || record.time < from) continue;
    records++;
    const byOperation = senders.get(record.operationHash) ?? new Map();
    senders.set(record.operationHash, byOperation);
    const key = `${record.consumer}\u0000${record.purpose ?? ''}`;
    const entry = byOperation.get(key) ?? { consumer: record.consumer, purpose: record.purpose, count: 0 };
    entry.count++;
    byOperation.set(key, entry);
  }
  const operations: RecentOperation[] = [];
  for (const stored of auditChainDirs(auditDir).flatMap(readOperations)) {
    const sent = senders.get(stored.hash);
    if (!sent) continue;
    senders.delete(stored.hash); // an operation stored twice (after a crash) counts once
    operations.push({ hash: stored.hash, name: stored.name, text: stored.text, senders: [...sent.values()] });
  }
  return { operations, records };
}
