import { Writable } from 'node:stream';
import pino from 'pino';
import { lazyChildLogger } from './requestLogger';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

it('names the consumer and purpose on the lines it writes', async () => {
  const { logger, lines } = capture('info');
  const log = lazyChildLogger(logger, { consumer: 'city-analytics', purpose: 'statistics' });
  log.info({ operationName: 'Q' }, 'graphql request');
  log.debug('not at this level');
  await new Promise((resolve) => setImmediate(resolve));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ consumer: 'city-analytics', purpose: 'statistics', operationName: 'Q' });
});

it('makes no child logger while nothing is written at an enabled level', () => {
  const { logger } = capture('warn');
  const child = jest.spyOn(logger, 'child');
  const log = lazyChildLogger(logger, { consumer: 'city-analytics' });
  log.info('below the level');
  log.debug('below the level');
  expect(child).not.toHaveBeenCalled();
  log.warn('at the level');
  log.error('again');
  expect(child).toHaveBeenCalledTimes(1);
});

it('survives being copied as Apollo Server copies a context', () => {
  const { logger } = capture('warn');
  const child = jest.spyOn(logger, 'child');
  const context = { requestId: 'r', logger: lazyChildLogger(logger, { consumer: 'c' }) };
  Object.assign(Object.create(Object.getPrototypeOf(context)), context);
  expect(child).not.toHaveBeenCalled();
});
