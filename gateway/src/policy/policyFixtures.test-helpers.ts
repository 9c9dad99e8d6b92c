import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConsumerDirectory, type Consumer, type ConsumerDirectory } from '../consumers';
import { DEFAULT_CONSUMERS_FILE, DEFAULT_SUPERGRAPH_FILE } from '../config';
import { loadSupergraphFile, type Supergraph } from '../supergraph';
import { compilePolicies, type PolicyProblem } from './compilePolicies';
import type { PolicySet } from './policySet';
import { parseYamlSource, readYamlSource } from '../formats';

/** The committed supergraph and consumer directory: policies are tested against the real graph. */
export const supergraph: Supergraph = loadSupergraphFile(DEFAULT_SUPERGRAPH_FILE);
export const consumers: ConsumerDirectory = parseConsumerDirectory(
  readYamlSource(DEFAULT_CONSUMERS_FILE, 'schema/consumers.yaml'),
).directory!;

export function consumer(id: string): Consumer {
  const found = consumers.consumers.get(id);
  if (!found) throw new Error(`no consumer ${id}`);
  return found;
}

/** Compiles policies given as YAML text, keyed by file name. */
export function compileYaml(
  files: Record<string, string>,
  now = Date.parse('2026-11-27T12:00:00+08:00'),
): { policySet?: PolicySet; problems: PolicyProblem[] } {
  return compilePolicies({
    policies: Object.entries(files).map(([file, text]) => parseYamlSource(text, file)),
    consumers,
    schema: supergraph.apiSchema,
    ownership: supergraph.ownership,
    now,
  });
}

const AGENCY_POLICY_FILES = ['education.yaml', 'development-reform.yaml', 'science.yaml'];
const readPolicies = (dir: string) =>
  Object.fromEntries(AGENCY_POLICY_FILES.map((file) => [file, readFileSync(join(dir, file), 'utf8')]));

/**
 * The unit tests' own policies (copies of the shipped ones, in fixtures/): what the tests decide
 * against, so a CDO's edit of schema/policies/ never breaks a unit test.
 */
export const FIXTURE_POLICY_DIR = join(__dirname, 'fixtures');

/** The fixture policies as YAML text, keyed by file name. */
export function fixturePolicies(): Record<string, string> {
  return readPolicies(FIXTURE_POLICY_DIR);
}

/** The shipped policies of schema/policies/: only the test that they compile reads them. */
export function shippedPolicies(): Record<string, string> {
  return readPolicies(join(DEFAULT_SUPERGRAPH_FILE, '..', 'policies'));
}
