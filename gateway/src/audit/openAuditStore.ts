import { isAbsolute, relative } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import type { AuditStore } from './auditStore';
import { FileAuditWitness, type AuditWitness } from './auditWitness';
import { JsonlAuditLog } from './jsonlAuditLog';
import { RedisAuditWitness } from './redisAuditWitness';
import { RedisStreamAuditLog } from './redisStreamAuditLog';

type WitnessSettings = Pick<
  GatewayConfig,
  'auditDir' | 'auditWitnessDir' | 'auditWitnessRedisUrl' | 'auditRedisUrl' | 'auditRedisAllowEverysec'
>;

/**
 * The witness the configuration names: its own Redis when `AUDIT_WITNESS_REDIS_URL` is set,
 * otherwise its folder (`<HUB_DATA_DIR>/audit-witness`). Refused where it would share the fate of
 * the trail it guards: a folder inside the audit folder, or the audit Redis itself.
 */
export async function openAuditWitness(config: WitnessSettings): Promise<AuditWitness> {
  if (config.auditWitnessRedisUrl) {
    if (config.auditRedisUrl && sameServer(config.auditWitnessRedisUrl, config.auditRedisUrl)) {
      throw new Error(
        'AUDIT_WITNESS_REDIS_URL names the audit Redis itself: whoever can cut the trail there could cut its witness too; give the witness a Redis of its own',
      );
    }
    return RedisAuditWitness.open(config.auditWitnessRedisUrl, { allowEverysec: config.auditRedisAllowEverysec });
  }
  const inside = relative(config.auditDir, config.auditWitnessDir);
  if (!inside || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new Error(
      `the audit witness folder ${config.auditWitnessDir} is inside the audit folder ${config.auditDir}: whoever can cut the trail could cut its witness with it; set AUDIT_WITNESS_DIR outside AUDIT_DIR`,
    );
  }
  return new FileAuditWitness(config.auditWitnessDir);
}

/**
 * The gateway's audit store as configured — the JSONL files, or a Redis Stream — with its
 * checkpoints witnessed. The store owns the witness and closes it.
 */
export async function openAuditStore(
  config: WitnessSettings & Pick<GatewayConfig, 'auditInstance' | 'auditCheckpointIntervalMs'>,
  signingKey: string,
  logger: Logger,
  /** Told of every durable batch (the metrics). */
  onBatchDurable?: (records: number, seconds: number) => void,
): Promise<AuditStore> {
  const witness = await openAuditWitness(config);
  try {
    return config.auditRedisUrl
      ? await RedisStreamAuditLog.open(config.auditRedisUrl, {
          signingKey,
          instance: config.auditInstance,
          allowEverysec: config.auditRedisAllowEverysec,
          checkpointIntervalMs: config.auditCheckpointIntervalMs,
          witness,
          logger,
          ...(onBatchDurable ? { onBatchDurable } : {}),
        })
      : await JsonlAuditLog.open(config.auditDir, {
          signingKey,
          checkpointIntervalMs: config.auditCheckpointIntervalMs,
          witness,
          logger,
          ...(onBatchDurable ? { onBatchDurable } : {}),
        });
  } catch (error) {
    await witness.close();
    throw error;
  }
}

function sameServer(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.hostname === y.hostname && (x.port || '6379') === (y.port || '6379');
  } catch {
    return a === b;
  }
}
