/**
 * A small LRU of compiled operation views. Keys carry the policy version, so a policy reload
 * makes older entries unreachable; each entry also expires at its view's `validUntil` (the
 * earliest expiry of a grant it relies on), so an expired grant takes effect on the next request.
 */
export class ViewCache<V extends { validUntil: number }> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity = 2000) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.validUntil <= now) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
