import { beijingDate, type WorkCalendar } from '../grants';
import type { PolicySet } from '../policy';
import type { AnswerRequest } from './answeringDecision';
import { DisputeError } from './disputeError';
import type { DisputeStore } from './disputeStore';
import { answerDispute, fileDispute, type DisputeContext, type DisputeStep, type FilingInput } from './disputeSteps';
import {
  disputeSummary,
  listDisputes,
  type DisputeFilter,
  type DisputeSummary,
  type ListedDispute,
} from './disputeViews';
import type { Dispute } from './model';

/**
 * Disputes bound to a store, the policies in force and the holiday calendar: what the CLI and the
 * admin API call. Every step runs inside the store's lock.
 */
export class DisputeService {
  constructor(
    private readonly options: {
      store: DisputeStore;
      policySet: () => PolicySet;
      calendar: WorkCalendar;
      now?: () => Date;
    },
  ) {}

  get store(): DisputeStore {
    return this.options.store;
  }

  file(input: FilingInput): Promise<Dispute> {
    return this.step((state, context) => fileDispute(state, context, input));
  }

  answer(id: string, input: AnswerRequest & { by: string }): Promise<Dispute> {
    return this.step((state, context) => answerDispute(state, context, id, input));
  }

  async list(filter: DisputeFilter): Promise<ListedDispute[]> {
    return listDisputes(await this.options.store.read(), filter, this.today(), this.options.calendar);
  }

  /**
   * One dispute whole, evidence included, for its agency's CDO or the consumer that filed it
   * (`readers`: the agencies and consumers the caller speaks for; undefined on the CLI). Anyone
   * else is told it does not exist.
   */
  async get(id: string, readers?: { agencies: readonly string[]; consumer: string }): Promise<Dispute> {
    const dispute = (await this.options.store.read()).disputes.find((d) => d.id === id);
    if (!dispute || (readers && !readers.agencies.includes(dispute.agency) && readers.consumer !== dispute.consumer))
      throw new DisputeError('DISPUTE_NOT_FOUND', `no dispute "${id}"`);
    return dispute;
  }

  async summary(agency: string): Promise<DisputeSummary> {
    return disputeSummary(await this.list({ agency, status: 'open' }));
  }

  private today(): string {
    return beijingDate(this.now());
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async step<T>(
    run: (state: Parameters<typeof fileDispute>[0], context: DisputeContext) => DisputeStep<T>,
  ): Promise<T> {
    let outcome: DisputeStep<T> | undefined;
    await this.options.store.update((state) => {
      outcome = run(state, { policySet: this.options.policySet(), calendar: this.options.calendar, now: this.now() });
      return { state: outcome.state, result: undefined };
    });
    return outcome!.result;
  }
}
