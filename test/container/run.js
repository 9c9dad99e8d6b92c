// `npm run test:container` (opt-in, not part of `npm test`): builds deploy/container/Dockerfile
// unchanged with podman, runs the gateway and the three agencies from that one image in a pod,
// each read-only and as the image's non-root user, and checks a real GraphQL answer through the
// gateway with a token, /readyz, the HEALTHCHECK, the user, the read-only root filesystem and a
// clean drain on stop. Cleans up its pod, containers and volumes (the images stay, as a cache).
// Options: --rebuild-base (assemble the stand-in base image again), --keep (leave the pod running).
'use strict';
const { randomBytes } = require('node:crypto');
const { chmodSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { ensureBaseImages } = require('./baseImage');
const { ensurePodman, podman, podmanStreamed } = require('./podman');

const ROOT = join(__dirname, '..', '..');
const DOCKERFILE = join(ROOT, 'deploy', 'container', 'Dockerfile');
const IMAGE = 'localhost/cdo-hub:test';
const AGENCIES = ['education', 'development-reform', 'science'];
const started = Date.now();
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

const results = [];
function check(name, ok, detail = '') {
  results.push({ name, ok });
  log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
async function until(what, probe, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch((error) => {
      if (error.fatal) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `podman exec` in a container: { code, out } (never throws). */
function exec(container, command) {
  try {
    return { code: 0, out: podman(['exec', container, ...command]) };
  } catch (error) {
    return { code: error.status ?? 1, out: `${error.stdout ?? ''}${error.stderr ?? ''}`.trim() };
  }
}

/** Throws, with its last log lines, if one of the pod's containers has exited: no use waiting on. */
function assertAllRunning(pod, roles) {
  for (const role of roles) {
    const state = podman(['inspect', '--format', '{{.State.Status}}', `${pod}-${role}`]);
    if (state !== 'running') {
      const logs = podman(['logs', '--tail', '5', `${pod}-${role}`], { stdio: ['pipe', 'pipe', 'pipe'] });
      throw Object.assign(new Error(`the ${role} container is ${state}:\n${logs}`), { fatal: true });
    }
  }
}

async function graphql(url, query, headers = {}) {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(30_000),
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

async function main() {
  if (!ensurePodman(log)) return 2;
  await ensureBaseImages(DOCKERFILE, log, { rebuild: process.argv.includes('--rebuild-base') });

  log(`building ${IMAGE} from deploy/container/Dockerfile (unchanged)`);
  const buildStarted = Date.now();
  const tail = [];
  const buildCode = await podmanStreamed(
    ['build', '--format', 'docker', '--pull=never', '-f', DOCKERFILE, '-t', IMAGE, ROOT],
    (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (/STEP \d+\/\d+/.test(line)) log(line.trim());
    },
  );
  if (buildCode !== 0) {
    for (const line of tail) console.log(line);
    check('the image builds', false, `podman build exited ${buildCode}`);
    return 1;
  }
  check('the image builds', true, `${((Date.now() - buildStarted) / 1000).toFixed(0)} s`);
  const size = podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE]);
  log(`image size ${(Number(size) / 1e6).toFixed(0)} MB`);
  const [inspected] = JSON.parse(podman(['image', 'inspect', IMAGE]));
  check(
    'the image runs as a numeric non-root user',
    inspected.Config.User === '1000:1000',
    `USER ${inspected.Config.User}`,
  );
  const healthcheck = inspected.Healthcheck?.Test ?? inspected.Config.Healthcheck?.Test ?? [];
  check('the image has a HEALTHCHECK', healthcheck.length > 0, healthcheck.join(' '));

  const name = `cdo-hub-test-${process.pid}`;
  const secretsDir = mkdtempSync(join(tmpdir(), 'cdo-hub-secrets-'));
  const volumes = [...AGENCIES, 'gateway'].map((role) => `${name}-${role}`);
  try {
    // Readable by the containers' uid 1000, as mounted secrets are; the folder lives only for this run.
    chmodSync(secretsDir, 0o755);
    for (const secret of ['jwt-secret', 'subgraph-signing-key', 'mask-hash-key'])
      writeFileSync(join(secretsDir, secret), randomBytes(48).toString('base64'), { mode: 0o644 });
    const hardened = ['--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
    const secrets = ['-v', `${secretsDir}:/run/secrets/cdo-hub:ro`];
    const signingKey = ['-e', 'HUB_SUBGRAPH_SIGNING_KEY_FILE=/run/secrets/cdo-hub/subgraph-signing-key'];

    for (const agency of AGENCIES) {
      log(`seeding ${agency} into its own volume (hub seed, no network)`);
      podman(['volume', 'create', `${name}-${agency}`]);
      podman([
        'run',
        '--rm',
        ...hardened,
        '--network',
        'none',
        '-v',
        `${name}-${agency}:/data`,
        IMAGE,
        'seed',
        '--agency',
        agency,
        '--if-missing',
      ]);
    }
    podman(['volume', 'create', `${name}-gateway`]);

    // One network namespace for the hub (a pod): the agencies on their default ports, reached by
    // the gateway over loopback; only the gateway's port is published, on this machine's loopback.
    const port = await freePort();
    podman(['pod', 'create', '--name', name, '-p', `127.0.0.1:${port}:4000`]);
    for (const agency of AGENCIES) {
      podman([
        'run',
        '-d',
        '--pod',
        name,
        '--name',
        `${name}-${agency}`,
        ...hardened,
        ...secrets,
        ...signingKey,
        '-v',
        `${name}-${agency}:/data`,
        IMAGE,
        'subgraph',
        agency,
      ]);
    }
    // No command: the image's default role is the gateway.
    podman([
      'run',
      '-d',
      '--pod',
      name,
      '--name',
      `${name}-gateway`,
      ...hardened,
      ...secrets,
      ...signingKey,
      '-e',
      'HUB_JWT_SECRET_FILE=/run/secrets/cdo-hub/jwt-secret',
      '-e',
      'HUB_MASK_HASH_KEY_FILE=/run/secrets/cdo-hub/mask-hash-key',
      '-e',
      'GATEWAY_WORKERS=2',
      '-e',
      'SHUTDOWN_TIMEOUT_MS=20000',
      '-v',
      `${name}-gateway:/data`,
      IMAGE,
    ]);
    const base = `http://127.0.0.1:${port}`;

    log(`waiting for ${base}/readyz`);
    const ready = await until('/readyz to answer ready', async () => {
      assertAllRunning(name, ['gateway', ...AGENCIES]);
      const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) });
      const body = await response.json();
      return response.status === 200 && body.status === 'ready' ? body : undefined;
    });
    check('/readyz answers 200 ready through the published port', ready.ready === true, JSON.stringify(ready));

    for (const role of ['gateway', ...AGENCIES]) {
      const healthy = await until(
        `${role}'s HEALTHCHECK`,
        async () => {
          const code = await podmanStreamed(['healthcheck', 'run', `${name}-${role}`], () => {});
          return code === 0 ? true : undefined;
        },
        30_000,
      ).catch(() => false);
      check(`HEALTHCHECK passes in the ${role} container`, healthy);
    }

    const token = exec(`${name}-gateway`, ['hub', 'token', '--consumer', 'district-haidian']);
    check('`hub token` runs in the gateway container', token.code === 0 && token.out.split('.').length === 3);
    const answer = await graphql(
      `${base}/graphql`,
      '{ schools(districtCode: "110108", first: 1) { nodes { name students(first: 2) { nodes { name grade idNumber } } } } }',
      { authorization: `Bearer ${token.out}`, 'x-data-purpose': 'enrollment-planning' },
    );
    const school = answer.body.data?.schools?.nodes?.[0];
    const students = school?.students?.nodes ?? [];
    check(
      'a token-bearing query answers through the gateway, masked and withheld per policy',
      answer.status === 200 &&
        typeof school?.name === 'string' &&
        students.length === 2 &&
        students.every((student) => /\*/.test(student.name) && student.idNumber === null) &&
        answer.body.errors?.some((error) => error.extensions?.code === 'FIELD_NOT_SHARED'),
      `${school?.name}: ${students.map((student) => student.name).join(', ')}`,
    );
    const crossAgency = await graphql(
      `${base}/graphql`,
      '{ districts(first: 3) { nodes { name schoolCount investmentProjectCount technologyContractAmount } } }',
    );
    const districts = crossAgency.body.data?.districts?.nodes ?? [];
    check(
      'a query across the three agencies answers without errors',
      crossAgency.status === 200 &&
        !crossAgency.body.errors &&
        districts.length === 3 &&
        districts.every((d) => d.schoolCount !== undefined && d.investmentProjectCount !== undefined),
      JSON.stringify(districts[0]),
    );

    for (const role of ['gateway', 'education']) {
      // The role's own process (the container's PID 1 after the entry point's exec), not the exec'd shell.
      const status = exec(`${name}-${role}`, ['cat', '/proc/1/status']);
      const uids = /^Uid:\s+(.*)$/m.exec(status.out)?.[1].trim().split(/\s+/) ?? [];
      check(
        `the ${role} process runs as uid 1000`,
        uids.length === 4 && uids.every((uid) => uid === '1000'),
        `Uid: ${uids.join(' ')}`,
      );
      // /home/node belongs to uid 1000: only a read-only root filesystem refuses this write.
      const readOnly = exec(`${name}-${role}`, ['touch', '/home/node/probe']);
      check(
        `the ${role} container's root filesystem is read-only`,
        readOnly.code !== 0 && /Read-only file system/.test(readOnly.out),
        readOnly.out.split('\n')[0],
      );
      const volume = exec(`${name}-${role}`, ['sh', '-c', 'touch /data/probe && rm /data/probe']);
      check(`the ${role} container writes to its /data volume`, volume.code === 0, volume.out);
    }
    const audit = exec(`${name}-gateway`, ['sh', '-c', 'ls /data/audit']);
    check(
      'the gateway writes its audit trail to the /data volume',
      audit.code === 0 && /worker-1/.test(audit.out),
      audit.out.replace(/\n/g, ' '),
    );

    log('stopping the gateway (SIGTERM: drain)');
    podman(['stop', '-t', '30', `${name}-gateway`]);
    const exitCode = podman(['inspect', '--format', '{{.State.ExitCode}}', `${name}-gateway`]);
    check('the gateway drains and exits 0 on SIGTERM', exitCode === '0', `exit ${exitCode}`);
    const verify = await podmanStreamed(
      [
        'run',
        '--rm',
        ...hardened,
        '--network',
        'none',
        ...secrets,
        '-e',
        'HUB_JWT_SECRET_FILE=/run/secrets/cdo-hub/jwt-secret',
        ...signingKey,
        '-e',
        'HUB_MASK_HASH_KEY_FILE=/run/secrets/cdo-hub/mask-hash-key',
        '-v',
        `${name}-gateway:/data`,
        IMAGE,
        'audit',
        'verify',
      ],
      log,
    );
    check('`hub audit verify` accepts the trail the gateway left in its volume', verify === 0);
  } finally {
    if (process.argv.includes('--keep')) {
      log(`--keep: pod ${name} and its volumes are left running`);
    } else {
      log('cleaning up the pod, its containers and volumes');
      try {
        podman(['pod', 'rm', '-f', '-t', '5', name]);
      } catch {
        // never created
      }
      for (const volume of volumes) {
        try {
          podman(['volume', 'rm', '-f', volume]);
        } catch {
          // never created
        }
      }
    }
    rmSync(secretsDir, { recursive: true, force: true });
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

main()
  .catch((error) => {
    check('the container test ran to its end', false, error.message);
    return 1;
  })
  .then((code) => {
    const passed = results.filter((result) => result.ok).length;
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(`${passed} passed, ${results.length - passed} failed`);
    process.exit(code);
  });
