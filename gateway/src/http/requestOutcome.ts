/** What a consumer got: everything asked (`ok`), data with errors (`partial`), or no data (`refused`). */
export function requestOutcome(result: { data?: unknown; errors?: readonly unknown[] }): 'ok' | 'partial' | 'refused' {
  return result.data == null ? 'refused' : result.errors?.length ? 'partial' : 'ok';
}
