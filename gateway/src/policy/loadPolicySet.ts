import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConsumerDirectory } from '../consumers';
import type { Supergraph } from '../supergraph';
import { compilePolicies, type PolicyProblem, type RuntimeGrantInput } from './compilePolicies';
import type { PolicySet } from './policySet';
import { readYamlSource } from '../formats';

export interface PolicySources {
  /** Folder of `<agency>.yaml` policy files. */
  policyDir: string;
  consumersFile: string;
}

/** Reads the policy files and the consumer directory and compiles them against a supergraph. */
export function loadPolicySet(
  sources: PolicySources,
  supergraph: Supergraph,
  options: {
    runtimeGrants?: readonly RuntimeGrantInput[];
    now?: number;
    /** A changed policy file for one agency, in place of its file in the folder (an impact preview). */
    replace?: { agency: string; file: string };
  } = {},
): { policySet?: PolicySet; problems: PolicyProblem[] } {
  const display = (file: string) => relative(process.cwd(), file) || file;
  const directory = loadConsumerDirectory(sources.consumersFile, display(sources.consumersFile));
  const directoryProblems: PolicyProblem[] = directory.problems.map((p) => ({
    severity: 'error',
    location: p.location,
    message: p.message,
  }));
  if (!directory.directory) return { problems: directoryProblems };
  const files = existsSync(sources.policyDir)
    ? readdirSync(sources.policyDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
    : [];
  const read = files.map((file) =>
    readYamlSource(join(sources.policyDir, file), display(join(sources.policyDir, file))),
  );
  const replace = options.replace;
  const policies = replace
    ? [
        ...read.filter((source) => (source.value as { agency?: unknown } | undefined)?.agency !== replace.agency),
        readYamlSource(replace.file, display(replace.file)),
      ]
    : read;
  const compiled = compilePolicies({
    policies,
    consumers: directory.directory,
    schema: supergraph.apiSchema,
    ownership: supergraph.ownership,
    ...(options.runtimeGrants ? { runtimeGrants: options.runtimeGrants } : {}),
    versionParts: [supergraph.version],
    now: options.now ?? Date.now(),
  });
  const problems = [...directoryProblems, ...compiled.problems];
  if (directoryProblems.length) return { problems };
  return compiled.policySet ? { policySet: compiled.policySet, problems } : { problems };
}
