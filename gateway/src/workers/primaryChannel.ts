import { isHubMessage, type BroadcastEvent, type PrimaryMessage, type WorkerMessage } from './workerMessages';

type Request = Exclude<WorkerMessage, { cdoHub: 'broadcast' }>;
type Answer = Exclude<PrimaryMessage, { cdoHub: 'broadcast' }>;
/** A request as sent, before it gets its id. */
type Unnumbered<R> = R extends Request ? Omit<R, 'id'> : never;

/**
 * A worker's side of the IPC channel to its primary: requests answered by id (rate decisions,
 * the whole gateway's metrics), and events relayed from the other workers.
 */
export class PrimaryChannel {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
  private readonly listeners: ((event: BroadcastEvent) => void)[] = [];

  constructor(private readonly process: NodeJS.Process = globalThis.process) {
    this.process.on('message', (message: unknown) => {
      if (!isHubMessage<PrimaryMessage>(message)) return;
      if (message.cdoHub === 'broadcast') {
        for (const listener of this.listeners) listener(message.event);
        return;
      }
      const waiting = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      waiting?.resolve(message);
    });
  }

  /** Sends a request; rejects if the primary does not answer within `timeoutMs`. */
  request(message: Unnumbered<Request>, timeoutMs: number): Promise<Answer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the gateway primary did not answer a ${message.cdoHub} request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject,
      });
      // send() returns false also when it only queues behind a backlog: the channel's state says whether it is gone.
      if (!this.process.send || !this.process.connected) {
        clearTimeout(timer);
        this.waiting.delete(id);
        return reject(new Error('no IPC channel to the gateway primary'));
      }
      this.process.send({ ...message, id });
    });
  }

  /** Tells every other worker (through the primary). */
  broadcast(event: BroadcastEvent): void {
    this.process.send?.({ cdoHub: 'broadcast', event } satisfies WorkerMessage);
  }

  /** Hears what other workers broadcast. */
  onBroadcast(listener: (event: BroadcastEvent) => void): void {
    this.listeners.push(listener);
  }
}
