import { AGENCIES, repoRoot } from '@cdo-hub/subgraph-kit';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Agent, request } from 'undici';
import { AgencyProcess, seedAgencyDatabases } from '../harness/agencyProcess';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { as } from '../harness/hubProcess';
import { makeTestAuthority, pem, type TestAuthority } from '../harness/testCertificates';
import { until } from '../harness/until';

// HTTPS end to end, with certificates this test makes: every agency serves HTTPS and the gateway
// trusts their CA (SUBGRAPH_CA_FILE); the gateway serves HTTPS on its port and asks every client
// for a certificate from the clients' CA (mutual TLS); a renewed certificate is used from the next
// connection on while requests keep being answered.

let ca: TestAuthority;
let dataDir: string;
let gateway: GatewayProcess;
let url: string;
const agencies: AgencyProcess[] = [];
let serving: { certFile: string; keyFile: string };
let first: { serial: string };
let client: Agent;

beforeAll(async () => {
  ca = makeTestAuthority();
  dataDir = mkdtempSync(join(tmpdir(), 'cdo-hub-tls-data-'));
  await seedAgencyDatabases(dataDir);
  const agencyCert = ca.server('agency');
  for (const agency of AGENCIES)
    agencies.push(
      await AgencyProcess.start(agency.id, await freePort(), dataDir, {
        [`${agency.envPrefix}_TLS_CERT_FILE`]: agencyCert.certFile,
        [`${agency.envPrefix}_TLS_KEY_FILE`]: agencyCert.keyFile,
      }),
    );
  // The files the gateway is pointed at: replaced in place when the certificate is renewed.
  const issued = ca.server('gateway-1');
  first = issued;
  serving = { certFile: join(ca.dir, 'serving.pem'), keyFile: join(ca.dir, 'serving.key') };
  copyFileSync(issued.certFile, serving.certFile);
  copyFileSync(issued.keyFile, serving.keyFile);
  const port = await freePort();
  gateway = await GatewayProcess.start(['--supergraph', join(repoRoot(), 'schema', 'supergraph.graphql')], port, {
    HUB_DATA_DIR: dataDir,
    ...Object.fromEntries(agencies.map((a) => [`${a.agency.envPrefix}_URL`, a.url])),
    SUBGRAPH_CA_FILE: ca.caFile,
    TLS_CERT_FILE: serving.certFile,
    TLS_KEY_FILE: serving.keyFile,
    TLS_CLIENT_CA_FILE: ca.caFile,
    LOG_LEVEL: 'info',
  });
  url = `https://127.0.0.1:${port}/graphql`;
  const certificate = ca.client('city-analytics-app');
  client = new Agent({
    connect: { ca: pem(ca.caFile), cert: pem(certificate.certFile), key: pem(certificate.keyFile) },
  });
}, 180_000);

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
  for (const agency of agencies) await agency.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(ca.dir, { recursive: true, force: true });
});

const QUERY = '{ districts(first: 2) { nodes { code name schoolCount highTechEnterpriseCount } } }';

async function ask(dispatcher: Agent = client): Promise<{ status: number; body: any }> {
  const answer = await request(url, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', ...(await as('city-analytics', 'statistics')) },
    body: JSON.stringify({ query: QUERY }),
  });
  return { status: answer.statusCode, body: await answer.body.json() };
}

/** The serial number of the certificate the gateway presents to a new connection. */
function presentedSerial(): Promise<string> {
  const certificate = ca.client('probe');
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port: Number(new URL(url).port),
        ca: pem(ca.caFile),
        cert: pem(certificate.certFile),
        key: pem(certificate.keyFile),
      },
      () => {
        resolve(socket.getPeerCertificate().serialNumber);
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

it('answers over HTTPS with data fetched from agencies over HTTPS', async () => {
  const { status, body } = await ask();
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  // Education and science resolved these counts: both were reached over HTTPS.
  expect(body.data.districts.nodes[0].schoolCount).toBeGreaterThan(0);
  expect(body.data.districts.nodes[0].highTechEnterpriseCount).toBeGreaterThanOrEqual(0);
  expect(agencies.every((a) => a.url.startsWith('https://'))).toBe(true);
});

it('refuses a client without a certificate from the clients’ CA before reading its request', async () => {
  const anonymous = new Agent({ connect: { ca: pem(ca.caFile) } });
  const stranger = makeTestAuthority().client('stranger');
  const foreign = new Agent({
    connect: { ca: pem(ca.caFile), cert: pem(stranger.certFile), key: pem(stranger.keyFile) },
  });
  try {
    await expect(ask(anonymous)).rejects.toThrow();
    await expect(ask(foreign)).rejects.toThrow();
  } finally {
    await anonymous.close();
    await foreign.close();
  }
});

it('takes a renewed certificate from the next connection on without dropping a request', async () => {
  expect((await presentedSerial()).toUpperCase()).toBe(first.serial.toUpperCase());
  let answered = 0;
  const failures: string[] = [];
  let running = true;
  const load = (async () => {
    while (running) {
      try {
        const { status } = await ask();
        if (status === 200) answered++;
        else failures.push(`status ${status}`);
      } catch (error) {
        failures.push(String(error));
      }
    }
  })();
  try {
    await until(() => answered >= 5, 20_000);
    const renewed = ca.server('gateway-2');
    // As a renewal job writes them: the certificate, then its key.
    copyFileSync(renewed.certFile, serving.certFile);
    copyFileSync(renewed.keyFile, serving.keyFile);
    await until(async () => (await presentedSerial()).toUpperCase() === renewed.serial.toUpperCase(), 20_000, 200, {
      what: 'the renewed certificate on a new connection',
    });
    const atRenewal = answered;
    await until(() => answered >= atRenewal + 5, 20_000);
  } finally {
    running = false;
    await load;
  }
  expect(failures).toEqual([]);
  expect(gateway.log).toContain('TLS certificate reloaded');
}, 90_000);
