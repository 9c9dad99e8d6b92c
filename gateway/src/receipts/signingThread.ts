import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { signatureOnPool } from './signReceipt';

/**
 * What the thread runs: it keeps the keys it was sent by id and signs each batch in order, a
 * signature (base64url) or null for each input. Plain JavaScript evaluated in the worker, so the
 * same code runs under the build and under the tests' TypeScript transform.
 */
const THREAD_CODE = `
const { parentPort } = require('node:worker_threads');
const { sign } = require('node:crypto');
const keys = new Map();
parentPort.on('message', ({ batch, kid, key, inputs }) => {
  if (key) keys.set(kid, key);
  const signer = keys.get(kid);
  const signatures = inputs.map((input) => {
    try { return sign(null, Buffer.from(input), signer).toString('base64url'); } catch { return null; }
  });
  parentPort.postMessage({ batch, signatures });
});
`;

type Waiter = { resolve: (signature: string) => void; reject: (error: Error) => void };
type Batch = { kid: string; key: KeyObject; inputs: string[]; waiters: Waiter[] };

/**
 * Ed25519 signatures made on a thread of their own, the inputs of one turn of the event loop sent
 * in one message. Every audited answer carries a signed receipt; signing each on libuv's pool
 * (`crypto.sign` with a callback) cost the event loop about 16–30 µs a receipt to hand the job
 * over and take it back, where one message for the turn's receipts costs it a few. The thread is
 * started on the first signature and again after a failure; it keeps the process alive only
 * while it owes signatures.
 * Should it stop, the signatures it held are made on libuv's pool instead, and the next batch
 * starts a new thread: no receipt is lost to it.
 */
export class SigningThread {
  private worker: Worker | undefined;
  private keysSent = new Set<string>();
  private next: Batch | undefined;
  private readonly sent = new Map<number, Batch>();
  private batches = 0;
  private closed = false;

  /** The signature of `input` (base64url) with `key`, known to the thread as `kid`. */
  sign(input: string, kid: string, key: KeyObject): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.closed) return signOnPool({ kid, key, inputs: [input], waiters: [{ resolve, reject }] });
      if (this.next && this.next.kid !== kid) this.send();
      if (!this.next) {
        this.next = { kid, key, inputs: [], waiters: [] };
        setImmediate(() => this.send());
      }
      this.next.inputs.push(input);
      this.next.waiters.push({ resolve, reject });
    });
  }

  /** Stops the thread; the signatures asked for before are still made (on the pool). */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (this.next) signOnPool(this.next);
    this.next = undefined;
    this.signSentOnPool();
    if (worker) await worker.terminate();
  }

  private send(): void {
    const batch = this.next;
    this.next = undefined;
    if (!batch) return;
    const worker = this.worker ?? this.start();
    const id = ++this.batches;
    // Held open while it owes signatures, never after.
    if (this.sent.size === 0) worker.ref();
    this.sent.set(id, batch);
    const newKey = !this.keysSent.has(batch.kid);
    this.keysSent.add(batch.kid);
    worker.postMessage({ batch: id, kid: batch.kid, inputs: batch.inputs, ...(newKey ? { key: batch.key } : {}) });
  }

  private start(): Worker {
    // A small heap: the thread holds a turn's inputs at most, and every megabyte counts in the gateway's RSS.
    const worker = new Worker(THREAD_CODE, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    });
    worker.on('message', ({ batch, signatures }: { batch: number; signatures: (string | null)[] }) => {
      const sent = this.sent.get(batch);
      this.sent.delete(batch);
      if (this.sent.size === 0) worker.unref();
      sent?.waiters.forEach((waiter, i) => {
        const signature = signatures[i];
        if (signature) waiter.resolve(signature);
        else waiter.reject(new Error('the receipt could not be signed'));
      });
    });
    const lost = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.keysSent = new Set();
      this.signSentOnPool();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    // After the listeners: adding a 'message' listener refs the thread again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private signSentOnPool(): void {
    for (const batch of this.sent.values()) signOnPool(batch);
    this.sent.clear();
  }
}

function signOnPool({ key, inputs, waiters }: Batch): void {
  inputs.forEach((input, i) => signatureOnPool(input, key).then(waiters[i]!.resolve, waiters[i]!.reject));
}
