import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * A seeded random source for the seed generators: the same seed gives the same city on every
 * machine, so the three agencies' databases agree on shared keys without talking to each other.
 */
export class SeededRandom {
  private readonly rng: RandomGenerator;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  /** A new independent stream, so one generator's draws never shift another's. */
  static forStream(seed: number, stream: string): SeededRandom {
    let hash = seed | 0;
    for (let i = 0; i < stream.length; i++) hash = (Math.imul(hash, 31) + stream.charCodeAt(i)) | 0;
    return new SeededRandom(hash);
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.rng, min, max);
  }

  /** A float in [0, 1). */
  float(): number {
    return uniformFloat64(this.rng);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let draw = this.float() * total;
    for (const [value, weight] of entries) {
      draw -= weight;
      if (draw < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  /** A date between two ISO dates, as YYYY-MM-DD. */
  date(fromIso: string, toIso: string): string {
    const from = Date.parse(fromIso);
    const to = Date.parse(toIso);
    const day = 86_400_000;
    return new Date(from + this.int(0, Math.floor((to - from) / day)) * day).toISOString().slice(0, 10);
  }

  /** A fixed-length string of the given symbols. */
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }
}
