/**
 * The headers (or trailers) that say something about an answer's data beside its body. An answer
 * refused after it was made (its audit record not durable: the audit gate) goes out with none of
 * them; browsers may read them across origins (cors.ts).
 */
export const ANSWER_HEADERS = {
  /** The signed receipt (receipts.ts). */
  receipt: 'x-hub-receipt',
  /** Open disputes over values the answer carries (disputes/). */
  disputes: 'x-hub-disputes',
  /** How a paged CSV export ended (a trailer). */
  export: 'x-hub-export',
  /** Coordinates withheld from a CSV answer, with their codes. */
  withheld: 'x-hub-withheld',
  /** Where a cached answer came from, and how old it is. */
  cacheStatus: 'x-cache',
  age: 'age',
} as const;
