/** What a development token's default lifetime is, unless the hub accepts less (`TOKEN_MAX_TTL`). */
export const DEFAULT_DEVELOPMENT_TTL = '8h';
