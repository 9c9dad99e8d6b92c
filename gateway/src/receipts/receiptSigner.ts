import { unwatchFile, watchFile } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { ReceiptClaims } from './receiptClaims';
import {
  ensureReceiptKeys,
  nextActivationOf,
  publicReceiptKeys,
  readReceiptKeys,
  signingKeyOf,
  type PublicReceiptKey,
  type ReceiptKeyFile,
} from './receiptKeys';
import { signingInputOf } from './signReceipt';
import { SigningThread } from './signingThread';

/**
 * Signs receipts with the newest active key of the key file and publishes all of them. Follows the
 * file: a key added by `hub receipt rotate-key` is published from the next check on (every 2 s), in
 * every process reading the file, and signs from its `activeFrom`; a file that stops parsing is
 * logged and the keys held are kept.
 */
export class ReceiptSigner {
  private file: ReceiptKeyFile;
  private signer: { kid: string; key: KeyObject };
  private published: { keys: PublicReceiptKey[] };
  /** When a published key still waiting starts signing. */
  private switchAt: number | undefined;
  private readonly thread = new SigningThread();

  private constructor(
    private readonly path: string,
    file: ReceiptKeyFile,
  ) {
    this.file = file;
    this.signer = signingKeyOf(file);
    this.published = publicReceiptKeys(file);
    this.switchAt = nextActivationOf(file);
  }

  /** The signer over the key file at `path`, made with a first key when absent. */
  static open(path: string): ReceiptSigner {
    return new ReceiptSigner(path, ensureReceiptKeys(path));
  }

  get kid(): string {
    return this.signer.kid;
  }

  sign(claims: ReceiptClaims): Promise<string> {
    if (this.switchAt !== undefined && Date.now() >= this.switchAt) {
      this.signer = signingKeyOf(this.file);
      this.switchAt = nextActivationOf(this.file);
    }
    const { kid, key } = this.signer;
    const input = signingInputOf(claims, kid);
    return this.thread.sign(input, kid, key).then((signature) => `${input}.${signature}`);
  }

  /** Stops the signing thread (receipts asked for before are still signed). */
  close(): Promise<void> {
    return this.thread.close();
  }

  /** The JWKS: every key's public half, the signing one last. */
  keys(): { keys: PublicReceiptKey[] } {
    return this.published;
  }

  /** Re-reads the file now (a rotation in this process), keeping the keys held if it is not a key file. */
  reload(logger?: Pick<Logger, 'info' | 'error'>): void {
    try {
      const file = readReceiptKeys(this.path);
      // A file that lost keys would make receipts already given unverifiable: refuse it.
      const kept = new Set(file.keys.map((key) => key.kid));
      const lost = this.file.keys.filter((key) => !kept.has(key.kid)).map((key) => key.kid);
      if (lost.length) throw new Error(`it no longer holds key(s) ${lost.join(', ')}`);
      const before = this.signer.kid;
      this.file = file;
      this.signer = signingKeyOf(file);
      this.published = publicReceiptKeys(file);
      this.switchAt = nextActivationOf(file);
      if (this.signer.kid !== before) logger?.info({ kid: this.signer.kid }, 'receipts are signed with a new key');
    } catch (error) {
      logger?.error({ file: this.path, err: error }, 'receipt key file not taken; signing with the keys held');
    }
  }

  /** Follows the file until the returned function is called. */
  follow(logger: Pick<Logger, 'info' | 'error'>): () => void {
    const listener = () => this.reload(logger);
    watchFile(this.path, { interval: 2000, persistent: false }, listener);
    return () => unwatchFile(this.path, listener);
  }
}
