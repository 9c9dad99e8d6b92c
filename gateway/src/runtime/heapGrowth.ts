import { setFlagsFromString } from 'node:v8';

/**
 * Bounds how far V8 lets a gateway process's heap grow between full collections. Left to itself,
 * V8 sizes the old generation against the machine's memory: a gateway whose live heap is 55 MB
 * reached 320 MB of RSS under load before collecting (measured with `profileRows.js
 * --heap-snapshot`). A growing factor of 2 (`GATEWAY_HEAP_GROWTH_PERCENT=100`) keeps it near
 * 210 MB for about 3 % of throughput; see scripts/bench/PROFILE.md. V8 reads the factor at each
 * collection, so setting it as the process starts serving takes effect from the next one.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
