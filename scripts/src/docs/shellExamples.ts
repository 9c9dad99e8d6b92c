import { repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A fenced ```sh block of the README or a guide under docs/: commands a reader pastes. Each one is
 * executed against a running hub by the e2e test, unless the line right above its fence is
 * `<!-- not-run: <reason> -->` (installing, benchmarks, commands that run until Ctrl-C).
 */
export interface ShellExample {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** Line of the opening fence (1-based), for the failure message. */
  line: number;
  /** The block's text, with the fence's indentation removed. */
  script: string;
  /** Why it is not run, when the not-run comment says so. */
  notRun?: string;
}

const NOT_RUN = /^\s*<!--\s*not-run:\s*(.*?)\s*-->\s*$/;

/** The ```sh blocks of one Markdown text, in order. */
export function extractShellExamples(markdown: string, file: string): ShellExample[] {
  const lines = markdown.split('\n');
  const examples: ShellExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, language] = open as unknown as [string, string, string, string];
    let end = i + 1;
    while (
      end < lines.length &&
      !(lines[end]!.trim().startsWith(fence) && lines[end]!.trim().replaceAll(fence[0]!, '') === '')
    )
      end++;
    if (language === 'sh') {
      const script = lines
        .slice(i + 1, end)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
        .join('\n');
      const reason = i > 0 ? NOT_RUN.exec(lines[i - 1]!)?.[1] : undefined;
      examples.push({
        file,
        line: i + 1,
        script,
        ...(reason !== undefined ? { notRun: reason || 'no reason given' } : {}),
      });
    }
    i = end;
  }
  return examples;
}

/** README.md, then every Markdown file under docs/ (sorted): the order their examples run in. */
export function documentationFiles(root = repoRoot()): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  return [join(root, 'README.md'), ...found];
}

/** Every ```sh block of the README and docs/, in reading order. */
export function loadShellExamples(root = repoRoot()): ShellExample[] {
  return documentationFiles(root).flatMap((path) =>
    extractShellExamples(readFileSync(path, 'utf8'), relative(root, path)),
  );
}

/**
 * Error codes that mean the example itself is broken — a mangled header or token, a query the
 * schema does not have, a hub that failed — not a refusal the text sets out to show.
 */
export const BROKEN_EXAMPLE_CODES = [
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_TOKEN',
  'UNKNOWN_CONSUMER',
  'INTERNAL_SERVER_ERROR',
  'SUBGRAPH_UNAVAILABLE',
] as const;

export interface ShellRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Why a run shows the example does not work as pasted, or undefined when it does: it must exit 0,
 * write nothing on stderr (a reader would see it as a failure: a refused token, a missing
 * command, a build log) and answer with none of the broken-example codes.
 */
export function shellExampleProblem(run: ShellRun): string | undefined {
  if (run.exitCode !== 0) return `exited with ${run.exitCode}`;
  if (run.stderr.trim()) return 'wrote to stderr';
  const code = BROKEN_EXAMPLE_CODES.find((c) => new RegExp(`"${c}"`).test(run.stdout));
  return code ? `answered ${code}` : undefined;
}

/**
 * Where the examples run: the docs speak of a hub on `localhost:4000` and of scratch files in
 * `/tmp/`; the runner points both at its own (a hub on a free port, a temporary folder), so runs
 * side by side do not meet.
 */
export interface ShellExampleTarget {
  /** The running gateway's origin, e.g. http://127.0.0.1:41234 */
  gatewayOrigin: string;
  /** Working directory: a checkout whose `.data` is the running hub's data folder. */
  cwd: string;
  /** A private folder standing in for /tmp. */
  tmpDir: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** The script as it runs against `target`. */
export function localizeScript(script: string, target: Pick<ShellExampleTarget, 'gatewayOrigin' | 'tmpDir'>): string {
  const host = new URL(target.gatewayOrigin).host;
  return script.replace(/\blocalhost:4000\b/g, host).replace(/(^|[\s'"=(])\/tmp\//gm, `$1${target.tmpDir}/`);
}

/** Runs one example with bash (`pipefail`, so a pipe's failing first stage counts). */
export function runShellExample(example: ShellExample, target: ShellExampleTarget): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', localizeScript(example.script, target)], {
      cwd: target.cwd,
      env: target.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), target.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
  });
}
