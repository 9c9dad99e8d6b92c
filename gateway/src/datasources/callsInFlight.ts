/**
 * Identical subgraph calls in flight at the same moment, sent once. When several requests need
 * the same answer from an agency while the first call for it is still on its way — same query,
 * same variables, same signed consumer claims — the later ones wait for that call instead of
 * sending their own. Nothing outlives the call: once it has settled, the next request sends anew,
 * so this is not a cache and serves nothing staler than an answer the request could have had by
 * calling itself.
 *
 * Every waiting request gets its own copy of the answer, made the moment the answer arrives and
 * before any of them continues: the query-plan executor merges entity answers into its result
 * tree in place, and two requests must never write into one object.
 */
export class CallsInFlight<T> {
  private readonly calls = new Map<string, InFlight<T>>();

  /** Calls now in flight (for tests). */
  get size(): number {
    return this.calls.size;
  }

  /**
   * `send()` unless a call under `key` is in flight; then that call's result, copied with `copy`.
   * `joined` says whether this request waited for another's call rather than sending its own.
   */
  run(key: string, send: () => Promise<T>, copy: (result: T) => T): { result: Promise<T>; joined: boolean } {
    const current = this.calls.get(key);
    if (current) {
      current.joiners++;
      return { result: current.result.then(() => current.copies.pop()!), joined: true };
    }
    const call: InFlight<T> = { joiners: 0, copies: [], result: undefined as unknown as Promise<T> };
    this.calls.set(key, call);
    call.result = send().then(
      (result) => {
        this.calls.delete(key);
        call.copies = Array.from({ length: call.joiners }, () => copy(result));
        return result;
      },
      (error: unknown) => {
        this.calls.delete(key);
        throw error;
      },
    );
    return { result: call.result, joined: false };
  }
}

interface InFlight<T> {
  joiners: number;
  copies: T[];
  result: Promise<T>;
}
