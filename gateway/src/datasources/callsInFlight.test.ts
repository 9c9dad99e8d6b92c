import { CallsInFlight } from './callsInFlight';

/** A call the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const copy = <T>(value: T): T => structuredClone(value);

describe('CallsInFlight', () => {
  it('sends one call for identical calls in flight together, and gives each waiting request its own copy', async () => {
    const calls = new CallsInFlight<{ data: { n: number } }>();
    const answer = deferred<{ data: { n: number } }>();
    let sent = 0;
    const send = () => {
      sent++;
      return answer.promise;
    };
    const first = calls.run('k', send, copy);
    const second = calls.run('k', send, copy);
    const third = calls.run('k', send, copy);
    expect([first.joined, second.joined, third.joined]).toEqual([false, true, true]);
    expect(sent).toBe(1);
    answer.resolve({ data: { n: 1 } });
    const [a, b, c] = await Promise.all([first.result, second.result, third.result]);
    expect([a, b, c]).toEqual([{ data: { n: 1 } }, { data: { n: 1 } }, { data: { n: 1 } }]);
    // One object per request: what one request writes into its answer the others never see.
    a.data.n = 2;
    expect(b.data.n).toBe(1);
    expect(b).not.toBe(c);
    expect(calls.size).toBe(0);
  });

  it('copies before any request continues, so the sender writing into its answer cannot reach a joiner', async () => {
    const calls = new CallsInFlight<{ n: number }>();
    const answer = deferred<{ n: number }>();
    const sender = calls.run('k', () => answer.promise, copy);
    const joiner = calls.run('k', () => answer.promise, copy);
    const written = sender.result.then((value) => {
      value.n = 99;
      return value;
    });
    answer.resolve({ n: 1 });
    expect(await written).toEqual({ n: 99 });
    expect(await joiner.result).toEqual({ n: 1 });
  });

  it('sends anew once the call has settled, and keeps different keys apart', async () => {
    const calls = new CallsInFlight<number>();
    let sent = 0;
    const send = async () => ++sent;
    expect(await calls.run('k', send, copy).result).toBe(1);
    expect(await calls.run('k', send, copy).result).toBe(2);
    const [x, y] = [calls.run('x', send, copy), calls.run('y', send, copy)];
    expect([x.joined, y.joined]).toEqual([false, false]);
    expect(await Promise.all([x.result, y.result])).toEqual([3, 4]);
  });

  it('fails every waiting request when the call fails, and forgets the call', async () => {
    const calls = new CallsInFlight<number>();
    const answer = deferred<number>();
    const first = calls.run('k', () => answer.promise, copy);
    const second = calls.run('k', () => answer.promise, copy);
    answer.reject(new Error('connection reset'));
    await expect(first.result).rejects.toThrow('connection reset');
    await expect(second.result).rejects.toThrow('connection reset');
    expect(calls.size).toBe(0);
  });
});
