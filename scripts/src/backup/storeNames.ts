/** The durable stores a backup holds, by the names `hub restore --stores` takes. */
export const STORE_NAMES = ['audit', 'witness', 'grants', 'registry'] as const;
export type StoreName = (typeof STORE_NAMES)[number];
