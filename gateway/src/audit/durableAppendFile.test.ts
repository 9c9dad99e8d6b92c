import { constants, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableAppendFile } from './durableAppendFile';

const onLinux = process.platform === 'linux' ? it : it.skip;

it('appends across reopenings and cuts a failed batch back', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'durable-')), 'audit-000000000001.jsonl');
  const file = await DurableAppendFile.open(path);
  await file.append('one\n');
  await file.append('two\n');
  await file.truncate(4);
  await file.close();
  const again = await DurableAppendFile.open(path);
  await again.append('three\n');
  await again.close();
  expect(readFileSync(path, 'utf8')).toBe('one\nthree\n');
});

onLinux('opens the file with O_DSYNC, so each write is durable when it returns', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'durable-')), 'audit-000000000001.jsonl');
  const file = await DurableAppendFile.open(path);
  try {
    expect(file.syncsOnWrite).toBe(true);
    // The kernel's view of the descriptor: its open flags, in octal.
    const info = readFileSync(`/proc/self/fdinfo/${file.fd}`, 'utf8');
    const flags = parseInt(/^flags:\s+([0-7]+)$/m.exec(info)![1]!, 8);
    expect(flags & constants.O_DSYNC).toBe(constants.O_DSYNC);
    expect(flags & constants.O_APPEND).toBe(constants.O_APPEND);
  } finally {
    await file.close();
  }
});
