import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { SigningThread } from './signingThread';

const first = generateKeyPairSync('ed25519');
const second = generateKeyPairSync('ed25519');

function valid(input: string, signature: string, publicKey: KeyObject): boolean {
  return verify(null, Buffer.from(input), publicKey, Buffer.from(signature, 'base64url'));
}

const workerOf = (thread: SigningThread) => (thread as unknown as { worker?: Worker }).worker;

describe('SigningThread', () => {
  let thread: SigningThread;
  beforeEach(() => (thread = new SigningThread()));
  afterEach(() => thread.close());

  it('signs every input of a turn, each with the key it was asked for, in one thread', async () => {
    const inputs = Array.from({ length: 25 }, (_, i) => `header.claims-${i}`);
    const signed = await Promise.all(
      inputs.map((input, i) =>
        i % 2 ? thread.sign(input, 'k2', second.privateKey) : thread.sign(input, 'k1', first.privateKey),
      ),
    );
    signed.forEach((signature, i) =>
      expect(valid(inputs[i]!, signature, i % 2 ? second.publicKey : first.publicKey)).toBe(true),
    );
    // A signature over another input, or checked with the other key, does not verify.
    expect(valid(inputs[1]!, signed[0]!, first.publicKey)).toBe(false);
    expect(valid(inputs[0]!, signed[0]!, second.publicKey)).toBe(false);
    const worker = workerOf(thread);
    expect(worker).toBeDefined();
    // Later turns reuse the same thread and the keys it already holds.
    expect(valid('later', await thread.sign('later', 'k1', first.privateKey), first.publicKey)).toBe(true);
    expect(workerOf(thread)).toBe(worker);
  });

  it('still signs what a stopped thread held, on the pool, and starts a new thread for the next', async () => {
    await thread.sign('warm-up', 'k1', first.privateKey);
    const held = Array.from({ length: 10 }, (_, i) => thread.sign(`held-${i}`, 'k1', first.privateKey));
    const stopped = workerOf(thread)!;
    // The batch goes out on the next turn; the thread is stopped as it arrives.
    await new Promise((resolve) => setImmediate(resolve));
    await stopped.terminate();
    const signatures = await Promise.all(held);
    signatures.forEach((signature, i) => expect(valid(`held-${i}`, signature, first.publicKey)).toBe(true));
    const after = await thread.sign('after', 'k1', first.privateKey);
    expect(valid('after', after, first.publicKey)).toBe(true);
    expect(workerOf(thread)).toBeDefined();
    expect(workerOf(thread)).not.toBe(stopped);
  });

  it('signs on the pool once closed, and what was asked before the close as well', async () => {
    const before = thread.sign('before', 'k1', first.privateKey);
    await thread.close();
    expect(valid('before', await before, first.publicKey)).toBe(true);
    expect(valid('after', await thread.sign('after', 'k1', first.privateKey), first.publicKey)).toBe(true);
    expect(workerOf(thread)).toBeUndefined();
  });
});
