import type { z } from 'zod';

/** One environment variable: how it is parsed, and what the configuration reference says of it. */
export interface GatewaySetting<Schema extends z.ZodType = z.ZodType> {
  schema: Schema;
  /** The default as the reference shows it (the schema holds the value itself). */
  default: string;
  meaning: string;
}

export function setting<Schema extends z.ZodType>(
  schema: Schema,
  defaultText: string,
  meaning: string,
): GatewaySetting<Schema> {
  return { schema, default: defaultText, meaning };
}
