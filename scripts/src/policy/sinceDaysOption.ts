import { InvalidArgumentError, Option } from 'commander';

/** `--since-days N`: how far back consumers' recorded operations count (impact previews). */
export function sinceDaysOption(): Option {
  return new Option('--since-days <n>', "consumers' operations sent within this many days are replayed")
    .argParser((value) => {
      const days = Number(value);
      if (!Number.isInteger(days) || days < 1) throw new InvalidArgumentError('a whole number of days, at least 1');
      return days;
    })
    .default(30);
}
