/** Polls `check` (every `intervalMs`) until it holds; resolves how long that took, rejects after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, timeoutMs = 5000, intervalMs = 50): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return Date.now() - started;
}
