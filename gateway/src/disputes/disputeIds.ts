import type { DisputeStoreState } from './model';

/**
 * The next dispute id of a year, `DSP-2026-0007`: one more than the highest number the store ever
 * gave that year (its `lastNumber`, and any id it holds), so a number is never given twice even if
 * a dispute were removed by hand. Four digits at least; the ten-thousandth of a year gets five.
 * `today` is the Beijing date of filing. Pure.
 */
export function allocateDisputeId(
  state: Pick<DisputeStoreState, 'lastNumber' | 'disputes'>,
  today: string,
): { id: string; lastNumber: Record<string, number> } {
  const year = today.slice(0, 4);
  const held = state.disputes
    .map((d) => /^DSP-(\d{4})-(\d+)$/.exec(d.id))
    .filter((m) => m?.[1] === year)
    .map((m) => Number(m![2]));
  const next = Math.max(state.lastNumber[year] ?? 0, ...held, 0) + 1;
  return { id: `DSP-${year}-${String(next).padStart(4, '0')}`, lastNumber: { ...state.lastNumber, [year]: next } };
}
