import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

export interface LoadRequest {
  body: string;
  headers: Record<string, string>;
  /** Headers made anew for every request sent (a subgraph's signature is good for one call). */
  sign?: (body: string) => Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  /** Non-2xx, connection errors, timeouts and bodies that failed the check. */
  failures: number;
  /** The first body that failed the check, to say why a run failed. */
  firstFailure?: string;
  peakRssMb: number;
}

/**
 * Fixed-concurrency load from autocannon against one URL, cycling through `requests`. Every
 * response body is checked (`verify`); a run with failures is reported as failed, not as fast.
 * The target process's RSS is sampled throughout.
 */
export async function runLoad(options: {
  url: string;
  requests: readonly LoadRequest[];
  connections: number;
  durationSeconds: number;
  verify: (body: string) => boolean;
  pid?: number;
  /** Called with the status of every response (the soak counts them per interval). */
  onResponse?: (statusCode: number) => void;
}): Promise<LoadResult> {
  let peakRss = 0;
  // The largest single process: the target, or one of its children (a primary's workers), never a sum.
  const sample = () => {
    if (!options.pid) return;
    for (const pid of [options.pid, ...childrenOf(options.pid)]) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peakRss = Math.max(peakRss, kb / 1024);
      } catch {
        // process gone: reported by the failures
      }
    }
  };
  let firstFailure: string | undefined;
  const verify = (body: string) => {
    const ok = options.verify(body);
    if (!ok) firstFailure ??= body.slice(0, 400);
    return ok;
  };
  const sampler = setInterval(sample, 200);
  sample();
  try {
    // The callback form: its instance is the event emitter that reports each response.
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: options.url,
          method: 'POST',
          connections: options.connections,
          duration: options.durationSeconds,
          requests: options.requests.map((request) => {
            const headers = { 'content-type': 'application/json', ...request.headers };
            const sign = request.sign;
            return {
              method: 'POST' as const,
              path: new URL(options.url).pathname,
              headers,
              body: request.body,
              ...(sign
                ? {
                    setupRequest: (sent: autocannon.Request) => ({
                      ...sent,
                      headers: { ...headers, ...sign(request.body) },
                    }),
                  }
                : {}),
            };
          }),
          verifyBody: verify as never,
        },
        (error: unknown, finished: autocannon.Result) => (error ? reject(error) : resolve(finished)),
      );
      const onResponse = options.onResponse;
      if (onResponse) instance.on('response', (_client: unknown, statusCode: number) => onResponse(statusCode));
    });
    return {
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      total: result.requests.total,
      failures:
        result.non2xx +
        result.errors +
        result.timeouts +
        ((result as unknown as { mismatches?: number }).mismatches ?? 0),
      ...(firstFailure ? { firstFailure } : {}),
      peakRssMb: Math.round(peakRss),
    };
  } finally {
    clearInterval(sampler);
  }
}

/** A process's children (Linux), e.g. the workers a gateway primary forked; none if it is gone. */
function childrenOf(pid: number): number[] {
  try {
    const listed = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return listed ? listed.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}
