import type { Logger } from 'pino';

/** What the request path logs with: the four levels it uses. */
export type RequestLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

type Level = keyof RequestLogger;

/**
 * A request's logger naming its consumer and purpose, made only when a line is written at an
 * enabled level. At `warn` (what `hub start` runs) most requests write nothing, and a pino child
 * per request was 2 % of the gateway's time. A plain object, not a getter: Apollo Server copies
 * the context per operation, which would run a getter every time.
 */
export function lazyChildLogger(parent: Logger, bindings: Record<string, unknown>): RequestLogger {
  let child: Logger | undefined;
  const at =
    (level: Level) =>
    (...args: unknown[]): void => {
      if (!parent.isLevelEnabled(level)) return;
      child ??= parent.child(bindings);
      (child[level] as (...line: unknown[]) => void)(...args);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as RequestLogger;
}
