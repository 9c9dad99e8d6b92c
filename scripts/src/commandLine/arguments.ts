import type { SeedSize } from '@cdo-hub/subgraph-kit/world';
import { InvalidArgumentError, Option } from 'commander';

// Argument parsing that more than one command group shares. Like the registration files, this
// module loads nothing heavier than commander: `hub token` must answer in well under a second.

/** The dataset sizes `--size` accepts: the kit's SeedSize, spelled out so the CLI need not load the kit to list them. */
export const SEED_SIZES = ['small', 'bench'] as const satisfies readonly SeedSize[];
/** Fails to type-check when the kit gains a size the list above lacks. */
const everySeedSize: Exclude<SeedSize, (typeof SEED_SIZES)[number]> extends never ? true : never = true;
void everySeedSize;

/** `--size`, for commands that build agency databases. */
export const sizeOption = () => new Option('--size <size>', 'dataset size').choices([...SEED_SIZES]).default('small');

export function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('not a port number');
  return port;
}

export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('a positive number');
  return number;
}

/** Collects a repeatable option's values (`--scope a=1 --scope b=2`). */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Who runs the command, when `--by` or `--author` does not say. */
export const operator = () => process.env.USER ?? 'operator';
