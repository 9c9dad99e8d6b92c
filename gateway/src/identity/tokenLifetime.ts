/**
 * Leeway for clocks: an issuer's `iat` a little ahead of ours, and the whole-second rounding
 * of `exp` and `iat`, must not refuse a token minted at exactly the maximum.
 */
const CLOCK_SKEW_SECONDS = 60;

export interface TokenTimes {
  /** `iat` in ms since the epoch, when the token has one. */
  issuedAt?: number | undefined;
  /** `exp` in ms since the epoch; a token without one would never expire. */
  expiresAt?: number | undefined;
}

/**
 * Why a token lives too long, or undefined when its lifetime is within `maxSeconds`. The
 * lifetime is `exp − iat`, or `exp − now` when there is no `iat`; and whatever `iat` says, `exp`
 * may not lie more than `maxSeconds` ahead of now (an `iat` set in the future would otherwise
 * make any `exp` look short-lived).
 */
export function tokenLifetimeProblem(times: TokenTimes, nowMs: number, maxSeconds: number): string | undefined {
  if (times.expiresAt === undefined) return 'it has no expiry (exp): a token must expire';
  const limitMs = (maxSeconds + CLOCK_SKEW_SECONDS) * 1000;
  const declared = times.issuedAt === undefined ? undefined : times.expiresAt - times.issuedAt;
  const remaining = times.expiresAt - nowMs;
  const excess = Math.max(declared ?? -Infinity, remaining);
  if (excess <= limitMs) return undefined;
  const what =
    declared !== undefined && declared >= remaining
      ? `it lives ${describeSeconds(declared / 1000)} (exp − iat)`
      : `it expires in ${describeSeconds(remaining / 1000)}`;
  return `${what}, longer than the ${describeSeconds(maxSeconds)} this hub accepts (TOKEN_MAX_TTL)`;
}

/** `86400` → `24 h`, `90` → `90 s`; large values in days, so the year 5138 reads as what it is. */
export function describeSeconds(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole >= 2 * 86_400) return `${Math.round(whole / 86_400).toLocaleString('en')} d`;
  if (whole >= 2 * 3600 || (whole >= 3600 && whole % 3600 === 0)) return `${Math.round((whole / 3600) * 10) / 10} h`;
  if (whole >= 120) return `${Math.round((whole / 60) * 10) / 10} min`;
  return `${whole} s`;
}
