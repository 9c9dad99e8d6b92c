import { ApolloGateway } from '@apollo/gateway';
import type {
  GatewayExecutor,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
} from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { subgraphTimeoutVariable, subgraphUrlVariable } from '../config';
import { AgencyDataSource } from '../datasources';
import { ViewCache, type OperationView } from '../enforcement';
import type { SubgraphFaults } from '../faults';
import type { PolicyRuntime, PolicySet } from '../policy';
import type { Supergraph } from '../supergraph';
import type { FetchCache, ResponseCache } from '../cache';
import { OperationRuns, type GatewayContext, type OperationRun } from '../requestState';
import { SubjectsSeen, type SubjectsByAgency } from '../subjects';
import { enforcingExecutor } from './enforcingExecutor';
import { ConsumerIntrospection } from './introspection';
import { refusingInvalidCursors } from './refuseInvalidCursors';

type GraphQLSchemaListener = GatewaySchemaLoadOrUpdateCallback;

export interface HubGatewayOptions {
  supergraph: Supergraph;
  logger: Logger;
  /** Subgraph URL overrides, keyed by environment variable name (`EDUCATION_URL`...). */
  subgraphUrls?: Record<string, string>;
  /** The sharing policies in force; absent only in `--open` mode (no enforcement). */
  policies?: PolicyRuntime;
  /** `null` (default): withheld fields come back null with errors; `reject`: refuse the operation. */
  onDenied?: 'null' | 'reject';
  /** Key of the `hash` mask. */
  maskHashKey: string;
  /** Key of the consumer header signed for the subgraphs. */
  subgraphSigningKey: string;
  /** Deadline of each subgraph call, unless `subgraphTimeouts` has one for the subgraph. */
  subgraphTimeoutMs: number;
  /** Deadlines of single subgraphs, keyed by environment variable name (`SUBGRAPH_TIMEOUT_MS_SCIENCE`...). */
  subgraphTimeouts?: Record<string, number>;
  /** The subgraphs' circuit breakers, shared by every supergraph served; absent, every call is sent. */
  faults?: SubgraphFaults;
  /** The response cache; absent when caching is off (and in `--open` mode). */
  cache?: ResponseCache;
  /** How long a replaced supergraph keeps serving the requests validated against it. */
  retireAfterMs?: number;
  /** Identical subgraph calls in flight at once are sent once (`SUBGRAPH_SHARE_CALLS_IN_FLIGHT`, default true). */
  shareCallsInFlight?: boolean;
  /** The subgraph fetch cache (entities, root fields); absent when caching is off. */
  fetchCache?: FetchCache;
  /** The connections to the agencies, shared by every supergraph served (`subgraphTransport.ts`). */
  subgraphTransport?: Dispatcher;
  now?: () => number;
}

/**
 * The gateway Apollo Server runs: `ApolloGateway` behind a thin wrapper that owns the path of
 * every request. Apollo Server parses and validates the operation against the full API schema;
 * the wrapper's executor then runs the hub's stages around the query planner:
 *
 *   identity (context) → operation view: decide every field, remove denied ones
 *     → plan (cached by the rewritten document) → fetch from agencies
 *     → reshape: withheld fields null, masks applied, one error per withheld coordinate
 *
 * Introspection is answered from the consumer's own schema, never the full one.
 */
/**
 * One supergraph being served: its own `ApolloGateway` (schema, query planner, plan cache) and the
 * API schema object Apollo Server validates requests against, by which a request finds the
 * supergraph it was validated against. A replaced generation keeps its last policy set and
 * serves the requests already validated against it until it retires.
 */
interface Generation {
  supergraph: Supergraph;
  inner: ApolloGateway;
  executor: GatewayExecutor;
  apiSchema: GraphQLSchema;
  /** Set when replaced: the policies in force at the switch. */
  policySet?: PolicySet;
}

/** What a supergraph switch did. */
export type SwitchOutcome =
  { applied: true; version: string; milliseconds: number } | { applied: false; version: string; reason: string };

export class HubGateway implements GatewayInterface {
  private current: Generation | undefined;
  /** Every generation still serving, by the API schema object Apollo Server validated against. */
  private readonly generations = new Map<GraphQLSchema, Generation>();
  private readonly schemaListeners = new Set<GraphQLSchemaListener>();
  /** Switches go one at a time. */
  private switching: Promise<unknown> = Promise.resolve();
  private readonly views = new ViewCache<OperationView>();
  private readonly introspection = new ConsumerIntrospection();
  private readonly now: () => number;
  /** What each operation in flight ran under: written here only, read through `runOf`. */
  private readonly runs = new OperationRuns();
  /** The subjects of the records each operation's answer carries (agencies' digests), for its audit record. */
  private readonly subjects = new SubjectsSeen();

  constructor(private readonly options: HubGatewayOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The supergraph new requests are served from. */
  get supergraph(): Supergraph {
    return this.current?.supergraph ?? this.options.supergraph;
  }

  get policies(): PolicyRuntime | undefined {
    return this.options.policies;
  }

  /** What an operation ran under (supergraph, policies, view, records, cache), once the executor reached it. */
  runOf(context: GatewayContext): OperationRun | undefined {
    return this.runs.of(context);
  }

  /** The subjects each agency handed over for an operation (from its calls, or from the cached answer it was served). */
  subjectsOf(context: GatewayContext): SubjectsByAgency | undefined {
    return this.subjects.of(context);
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
    this.schemaListeners.add(callback);
    return () => this.schemaListeners.delete(callback);
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    this.loadOptions = options;
    const generation = await this.generation(this.options.supergraph);
    this.serve(generation);
    return {
      executor: refusingInvalidCursors(this.enforcingExecutor(), (requestContext) =>
        this.forgetEntities(requestContext.context as GatewayContext),
      ),
    };
  }

  private loadOptions: Parameters<GatewayInterface['load']>[0] | undefined;

  /** An answer refused whole carries no records: its run says so. */
  private forgetEntities(context: GatewayContext): void {
    const run = this.runs.of(context);
    if (!run?.decided?.entities) return;
    const { entities: _withheld, ...decided } = run.decided;
    this.runs.record(context, { ...run, decided });
  }

  /**
   * Serves another supergraph without failing a request: its gateway is built and loaded aside,
   * the policies are compiled against it, then — in one synchronous step — it becomes current and
   * Apollo Server validates new requests against its API schema. Requests validated against the
   * old one still execute against the old one (and its policies) until it retires. A supergraph
   * that does not load, or against which the policies do not compile, is refused: the current
   * one keeps serving.
   */
  switchTo(supergraph: Supergraph): Promise<SwitchOutcome> {
    const run = this.switching.then(() => this.switchNow(supergraph));
    this.switching = run.catch(() => undefined);
    return run;
  }

  private async switchNow(supergraph: Supergraph): Promise<SwitchOutcome> {
    const started = performance.now();
    if (supergraph.version === this.supergraph.version)
      return { applied: true, version: supergraph.version, milliseconds: 0 };
    let next: Generation;
    try {
      next = await this.generation(supergraph);
    } catch (error) {
      this.options.logger.error(
        { err: error, version: supergraph.version },
        'supergraph refused: it does not load; the current one keeps serving',
      );
      return { applied: false, version: supergraph.version, reason: (error as Error).message };
    }
    const policies = this.options.policies;
    const previousPolicySet = policies?.current();
    const reloaded = policies?.reload({ supergraph });
    if (reloaded && !reloaded.applied) {
      await next.inner.stop().catch(() => undefined);
      const reason = `the sharing policies do not compile against it: ${reloaded.problems
        .filter((p) => p.severity === 'error')
        .map((p) => p.message)
        .join('; ')}`;
      this.options.logger.error({ version: supergraph.version }, `supergraph refused: ${reason}`);
      return { applied: false, version: supergraph.version, reason };
    }
    const previous = this.current;
    if (previous && previousPolicySet) previous.policySet = previousPolicySet;
    this.serve(next);
    if (previous) {
      const retire = setTimeout(() => {
        this.generations.delete(previous.apiSchema);
        void previous.inner.stop().catch(() => undefined);
      }, this.options.retireAfterMs ?? 30_000);
      retire.unref();
    }
    const milliseconds = Math.round(performance.now() - started);
    this.options.logger.info(
      { version: supergraph.version, previous: previous?.supergraph.version, milliseconds },
      'now serving a new supergraph',
    );
    return { applied: true, version: supergraph.version, milliseconds };
  }

  /** Builds and loads the `ApolloGateway` of one supergraph, not yet serving. */
  private async generation(supergraph: Supergraph): Promise<Generation> {
    const inner = new ApolloGateway({
      logger: this.options.logger,
      // The query plan is internal routing detail; never expose it through a request header.
      __exposeQueryPlanExperimental: false,
      supergraphSdl: async () => ({ supergraphSdl: supergraph.sdl }),
      buildService: ({ name, url }) =>
        new AgencyDataSource(
          name,
          this.routingUrl(name, url),
          this.timeoutFor(name),
          this.options.subgraphSigningKey,
          this.options.fetchCache,
          this.options.faults,
          (context) => this.runOf(context),
          this.options.shareCallsInFlight ?? true,
          this.options.subgraphTransport,
          this.subjects,
        ),
    });
    let apiSchema: GraphQLSchema | undefined;
    const unsubscribe = inner.onSchemaLoadOrUpdate(({ apiSchema: schema }) => (apiSchema = schema));
    const { executor } = await inner.load(this.loadOptions);
    unsubscribe();
    if (!executor || !apiSchema) throw new Error('ApolloGateway loaded without an executor or schema');
    return { supergraph, inner, executor, apiSchema };
  }

  /** Makes a loaded generation the one new requests validate and execute against. */
  private serve(generation: Generation): void {
    this.generations.set(generation.apiSchema, generation);
    this.current = generation;
    for (const listener of this.schemaListeners)
      listener({ apiSchema: generation.apiSchema, coreSupergraphSdl: generation.supergraph.sdl });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.generations.values()].map((g) => g.inner.stop().catch(() => undefined)));
    this.generations.clear();
  }

  /** The URL to call for a subgraph: `<NAME>_URL` from the environment, or the supergraph's. */
  routingUrl(name: string, supergraphUrl: string | undefined): string {
    const url = this.options.subgraphUrls?.[subgraphUrlVariable(name)] ?? supergraphUrl;
    if (!url)
      throw new Error(`subgraph "${name}" has no URL in the supergraph and ${subgraphUrlVariable(name)} is not set`);
    return url;
  }

  private enforcingExecutor(): GatewayExecutor {
    return enforcingExecutor({
      servedFor: (schema) => {
        const generation = this.generations.get(schema) ?? this.current!;
        const retired = generation !== this.current ? generation.policySet : undefined;
        return {
          supergraph: generation.supergraph,
          executor: generation.executor,
          ...(retired ? { retiredPolicySet: retired } : {}),
        };
      },
      policies: this.options.policies,
      onDenied: this.options.onDenied,
      maskHashKey: this.options.maskHashKey,
      cache: this.options.cache,
      views: this.views,
      introspection: this.introspection,
      runs: this.runs,
      subjects: this.subjects,
      now: this.now,
    });
  }

  /** The deadline of a subgraph's calls: `SUBGRAPH_TIMEOUT_MS_<NAME>`, or the default. */
  timeoutFor(name: string): number {
    return this.options.subgraphTimeouts?.[subgraphTimeoutVariable(name)] ?? this.options.subgraphTimeoutMs;
  }
}
