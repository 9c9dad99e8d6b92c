import pino, { type Logger } from 'pino';
import { traceIdsInLogs } from '../tracing';

export type { Logger };

export function createLogger(level: string, name = 'gateway'): Logger {
  return pino({ name, level, ...traceIdsInLogs() });
}
