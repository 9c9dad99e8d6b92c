import { extractShellExamples, localizeScript, shellExampleProblem } from './shellExamples';

describe('extractShellExamples', () => {
  const markdown = [
    '# Guide',
    '```sh',
    'curl -s localhost:4000/graphql',
    '```',
    '',
    '<!-- not-run: starts the hub and runs until Ctrl-C -->',
    '```sh',
    'npm start',
    '```',
    '```console',
    '$ npm test',
    '```',
    '1. A step:',
    '',
    '   ```sh',
    '   TOKEN=$(npx hub token --consumer science)',
    '     echo "$TOKEN"',
    '   ```',
    '````md',
    '```sh',
    'not a block of its own',
    '```',
    '````',
  ].join('\n');

  it('finds the sh blocks only, with their lines, outdented, and the not-run reasons', () => {
    expect(extractShellExamples(markdown, 'docs/guide.md')).toEqual([
      { file: 'docs/guide.md', line: 2, script: 'curl -s localhost:4000/graphql' },
      { file: 'docs/guide.md', line: 7, script: 'npm start', notRun: 'starts the hub and runs until Ctrl-C' },
      { file: 'docs/guide.md', line: 15, script: 'TOKEN=$(npx hub token --consumer science)\n  echo "$TOKEN"' },
    ]);
  });

  it('takes the not-run comment only from the line right above the fence', () => {
    const [example] = extractShellExamples(
      ['<!-- not-run: too far -->', '', '```sh', 'true', '```'].join('\n'),
      'README.md',
    );
    expect(example!.notRun).toBeUndefined();
  });
});

describe('localizeScript', () => {
  it('points localhost:4000 and /tmp/ at the run’s own hub and folder', () => {
    const target = { gatewayOrigin: 'http://127.0.0.1:41234', tmpDir: '/var/run-7' };
    expect(
      localizeScript("curl -s localhost:4000/graphql && cp -r .data/audit /tmp/copy\n(cd /tmp/copy) '/tmp/x'", target),
    ).toBe("curl -s 127.0.0.1:41234/graphql && cp -r .data/audit /var/run-7/copy\n(cd /var/run-7/copy) '/var/run-7/x'");
    expect(localizeScript('ls /var/tmp/x', target)).toBe('ls /var/tmp/x');
  });
});

describe('shellExampleProblem', () => {
  it('accepts a clean run and names what is wrong with the others', () => {
    expect(shellExampleProblem({ exitCode: 0, stdout: '{"data":{}}', stderr: '' })).toBeUndefined();
    expect(shellExampleProblem({ exitCode: 2, stdout: '', stderr: '' })).toBe('exited with 2');
    expect(shellExampleProblem({ exitCode: 0, stdout: '', stderr: 'hub token: refused' })).toBe('wrote to stderr');
    expect(
      shellExampleProblem({
        exitCode: 0,
        stdout: '{"errors":[{"message":"The request is not valid HTTP.","extensions":{"code":"BAD_REQUEST"}}]}',
        stderr: '',
      }),
    ).toBe('answered BAD_REQUEST');
    // A refusal the text sets out to show is the example working.
    expect(
      shellExampleProblem({ exitCode: 0, stdout: '{"errors":[{"extensions":{"code":"GRANT_REQUIRED"}}]}', stderr: '' }),
    ).toBeUndefined();
  });
});
