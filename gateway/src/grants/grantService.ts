import { loadPolicySet, type PolicySet, type PolicySources, type RuntimeGrantInput } from '../policy';
import type { Supergraph } from '../supergraph';
import type { GrantStore } from './grantStore';
import { approveRequest, refuseRequest, revokeGrant } from './grantDecisions';
import { unreachableRequestWarnings } from './requestReach';
import { requestGrant } from './grantWorkflow';
import {
  GrantWorkflowError,
  type ApprovalInput,
  type DecisionInput,
  type GrantRequestInput,
  type WorkflowContext,
  type WorkflowStep,
} from './workflowSteps';
import { exportGrantsYaml, listRequests, runtimeGrantInputs, type ListedRequest } from './grantViews';
import type { DeletionAttestation, GrantRequest, GrantStoreState, StoredGrant } from './model';
import {
  attestDeletion,
  deletionAttestations,
  endedGrants,
  type AttestationDue,
  type AttestationInput,
} from './retention';
import { beijingDate, type WorkCalendar } from './workingDays';

/** Whether a candidate store grant would be in force, and what the policy compiler says of it. */
export type GrantChecker = (
  candidate: RuntimeGrantInput,
  others: readonly RuntimeGrantInput[],
) => { inForce: boolean; problems: string[] };

/** Checks a store grant by compiling the policies with it, exactly as a gateway will. */
export function policyGrantChecker(sources: PolicySources, supergraph: Supergraph | (() => Supergraph)): GrantChecker {
  return (candidate, others) => {
    const { policySet, problems } = loadPolicySet(
      sources,
      typeof supergraph === 'function' ? supergraph() : supergraph,
      { runtimeGrants: [...others, candidate] },
    );
    const id = (candidate.grant as { id: string }).id;
    return {
      inForce: policySet?.grants.some((g) => g.id === id && g.origin === 'grant-store') ?? false,
      // Said of the grant being decided, not of a place in the store it is not written to yet.
      problems: problems
        .filter((p) => p.location.file === `${candidate.store}#${id}`)
        .map((p) => `${p.message.replace(/ — the grant is not in force$/, '')}${p.hint ? ` (${p.hint})` : ''}`),
    };
  };
}

/**
 * The grant workflow bound to a store, the policies in force and the holiday calendar: what the
 * CLI and the admin API call. Every step runs inside the store's lock.
 */
export class GrantService {
  constructor(
    private readonly options: {
      store: GrantStore;
      /** The policies to decide against, given the store's state (the CLI compiles them with its grants). */
      policySet: (state: GrantStoreState) => PolicySet;
      calendar: WorkCalendar;
      checkGrant: GrantChecker;
      /**
       * The policies compiled with the grants of a given state, for previews (before and after a
       * decision); defaults to `policySet`. A gateway decides against the policies in force but
       * previews against a compilation, as the decision is not in force yet.
       */
      previewPolicySet?: (state: GrantStoreState) => PolicySet;
      now?: () => Date;
    },
  ) {}

  get store(): GrantStore {
    return this.options.store;
  }

  request(input: GrantRequestInput): Promise<WorkflowStep<GrantRequest>> {
    return this.step((state, context) => {
      const step = requestGrant(state, context, input);
      const unreachable = unreachableRequestWarnings(context.policySet, step.result, context.now.getTime());
      return { ...step, warnings: [...step.warnings, ...unreachable] };
    });
  }

  approve(requestId: string, input: ApprovalInput): Promise<WorkflowStep<StoredGrant>> {
    return this.step((state, context) => {
      const step = approveRequest(state, context, requestId, input);
      // The grant must hold against the policies now (mask fits the field type, nothing NOT_SHARED…).
      const inputs = runtimeGrantInputs(step.state, this.options.store.location);
      const candidate = inputs.find((g) => (g.grant as { id: string }).id === step.result.id)!;
      const check = this.options.checkGrant(
        candidate,
        inputs.filter((g) => g !== candidate),
      );
      if (!check.inForce)
        throw new GrantWorkflowError(
          'GRANT_REQUEST_INVALID',
          `the grant would not be in force:\n${check.problems.join('\n') || 'the policies do not load'}`,
        );
      return { ...step, warnings: [...step.warnings, ...check.problems] };
    });
  }

  /**
   * The approval as it would be, without storing it: the grant, and the policies in force before
   * and after it (for an impact preview). Throws what `approve` would throw for the request.
   */
  async previewApproval(
    requestId: string,
    input: ApprovalInput,
  ): Promise<{ grant: StoredGrant; before: PolicySet; after: PolicySet }> {
    const state = await this.options.store.read();
    const compile = this.options.previewPolicySet ?? this.options.policySet;
    const before = compile(state);
    const step = approveRequest(
      state,
      { policySet: before, calendar: this.options.calendar, now: this.now() },
      requestId,
      input,
    );
    return { grant: step.result, before, after: compile(step.state) };
  }

  /**
   * The revocation as it would be, without storing it: the policies in force before and after it.
   * Throws what `revoke` would throw (another agency's grant, a policy-file grant, one revoked).
   */
  async previewRevocation(
    grantId: string,
    input: DecisionInput,
  ): Promise<{ grant: StoredGrant; before: PolicySet; after: PolicySet }> {
    const state = await this.options.store.read();
    const compile = this.options.previewPolicySet ?? this.options.policySet;
    const before = compile(state);
    const step = revokeGrant(
      state,
      { policySet: before, calendar: this.options.calendar, now: this.now() },
      grantId,
      input,
    );
    return { grant: step.result, before, after: compile(step.state) };
  }

  /** A refusal changes no grant in force: the policies as they are, after the refusal's own checks. */
  async previewRefusal(requestId: string, input: DecisionInput): Promise<{ before: PolicySet; after: PolicySet }> {
    const state = await this.options.store.read();
    const compile = this.options.previewPolicySet ?? this.options.policySet;
    const policySet = compile(state);
    refuseRequest(state, { policySet, calendar: this.options.calendar, now: this.now() }, requestId, input);
    return { before: policySet, after: policySet };
  }

  refuse(requestId: string, input: DecisionInput): Promise<WorkflowStep<GrantRequest>> {
    return this.step((state, context) => refuseRequest(state, context, requestId, input));
  }

  revoke(grantId: string, input: DecisionInput): Promise<WorkflowStep<StoredGrant>> {
    return this.step((state, context) => revokeGrant(state, context, grantId, input));
  }

  async list(filter: {
    agency?: string;
    consumer?: string;
    status?: 'pending' | 'overdue' | 'all';
  }): Promise<ListedRequest[]> {
    return listRequests(await this.options.store.read(), filter, beijingDate(this.now()), this.options.calendar);
  }

  async grants(filter: { agency?: string; consumer?: string }): Promise<StoredGrant[]> {
    return (await this.options.store.read()).grants.filter(
      (g) => (!filter.agency || g.agency === filter.agency) && (!filter.consumer || g.consumer === filter.consumer),
    );
  }

  /** The consumer attests that it deleted what it received under an ended grant (retention.ts). */
  attestDeletion(input: AttestationInput): Promise<WorkflowStep<DeletionAttestation>> {
    return this.step((state, context) => attestDeletion(state, context, input));
  }

  /** Deletion attestations owed under ended grants — due, overdue, attested — for an agency's CDO or a consumer. */
  async attestations(filter: { agency?: string; consumer?: string }): Promise<AttestationDue[]> {
    const state = await this.options.store.read();
    const today = beijingDate(this.now());
    return deletionAttestations(
      endedGrants(state, this.options.policySet(state), today).filter(
        (g) => (!filter.agency || g.agency === filter.agency) && (!filter.consumer || g.consumer === filter.consumer),
      ),
      state.attestations,
      today,
    );
  }

  async exportYaml(agency: string): Promise<string> {
    return exportGrantsYaml(await this.options.store.read(), agency, beijingDate(this.now()));
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async step<T>(
    run: (state: GrantStoreState, context: WorkflowContext) => WorkflowStep<T>,
  ): Promise<WorkflowStep<T>> {
    let outcome: WorkflowStep<T> | undefined;
    await this.options.store.update((state) => {
      outcome = run(state, {
        policySet: this.options.policySet(state),
        calendar: this.options.calendar,
        now: this.now(),
      });
      return { state: outcome.state, result: undefined };
    });
    return outcome!;
  }
}
