import type { ErrorCode } from '../errors';

/** A refused dispute step, with its catalogued code (the admin API answers with its status). */
export class DisputeError extends Error {
  constructor(
    readonly code: Extract<
      ErrorCode,
      'DISPUTE_INVALID' | 'DISPUTE_FIELD_NOT_READABLE' | 'DISPUTE_NOT_FOUND' | 'DISPUTE_CLOSED' | 'FORBIDDEN'
    >,
    message: string,
  ) {
    super(message);
  }
}

export type DisputeRefusal = { ok: false; code: DisputeError['code']; message: string };
