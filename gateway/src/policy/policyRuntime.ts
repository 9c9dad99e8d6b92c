import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Supergraph } from '../supergraph';
import { formatProblem, type PolicyProblem, type RuntimeGrantInput } from './compilePolicies';
import { loadPolicySet, type PolicySources } from './loadPolicySet';
import type { PolicySet } from './policySet';

export interface ReloadOutcome {
  applied: boolean;
  version: string;
  problems: PolicyProblem[];
}

/**
 * The policies in force. Loaded at start (an invalid policy stops the gateway from starting),
 * then reloaded when a policy file, the consumer directory or the grant store changes: a new
 * version replaces the old one atomically for the next request; an invalid one is refused and
 * logged, and the last good version stays in force.
 */
export class PolicyRuntime {
  private policySet: PolicySet;
  private watchers: FSWatcher[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(policySet: PolicySet) => void>();

  constructor(
    private readonly sources: PolicySources,
    private supergraph: Supergraph,
    private readonly logger: Logger,
    private runtimeGrants: readonly RuntimeGrantInput[] = [],
  ) {
    const { policySet, problems } = loadPolicySet(sources, supergraph, { runtimeGrants });
    for (const problem of problems.filter((p) => p.severity === 'warning')) logger.warn(formatProblem(problem));
    if (!policySet)
      throw new Error(
        `the sharing policies do not load:\n${problems
          .filter((p) => p.severity === 'error')
          .map(formatProblem)
          .join('\n')}`,
      );
    this.policySet = policySet;
  }

  current(): PolicySet {
    return this.policySet;
  }

  /** Called with each newly applied policy set. */
  onChange(listener: (policySet: PolicySet) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Recompiles from the sources (optionally against a new supergraph or new runtime grants). */
  reload(changes: { supergraph?: Supergraph; runtimeGrants?: readonly RuntimeGrantInput[] } = {}): ReloadOutcome {
    const supergraph = changes.supergraph ?? this.supergraph;
    const runtimeGrants = changes.runtimeGrants ?? this.runtimeGrants;
    let result: { policySet?: PolicySet; problems: PolicyProblem[] };
    try {
      result = loadPolicySet(this.sources, supergraph, { runtimeGrants });
    } catch (error) {
      result = {
        problems: [
          { severity: 'error', location: { file: this.sources.policyDir, line: 1 }, message: (error as Error).message },
        ],
      };
    }
    if (!result.policySet) {
      this.logger.error(
        { problems: result.problems.filter((p) => p.severity === 'error').map(formatProblem) },
        'policy reload refused; the last good policies stay in force',
      );
      return { applied: false, version: this.policySet.version, problems: result.problems };
    }
    this.supergraph = supergraph;
    this.runtimeGrants = runtimeGrants;
    if (result.policySet.version !== this.policySet.version) {
      this.policySet = result.policySet;
      this.logger.info({ version: this.policySet.version }, 'policies reloaded');
      for (const listener of this.listeners) listener(this.policySet);
    }
    return { applied: true, version: this.policySet.version, problems: result.problems };
  }

  /** Reloads shortly after the policy folder or the consumer directory changes on disk. */
  watch(debounceMs = 150): void {
    const schedule = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload(), debounceMs);
    };
    this.watchers.push(watch(this.sources.policyDir, schedule));
    const registryFile = basename(this.sources.consumersFile);
    this.watchers.push(watch(dirname(this.sources.consumersFile), (_, file) => file === registryFile && schedule()));
  }

  close(): void {
    clearTimeout(this.debounce);
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }
}
