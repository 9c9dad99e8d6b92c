// The image's HEALTHCHECK: GET /healthz on the port of the role this container runs. One image
// serves every role, so the role is read from the running processes (the gateway's or an
// agency's entry point), and the port from the same variables the role reads.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { AGENCIES } = require('/app/subgraphs/kit/dist/agencies/index.js');

function runningRole() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let commandLine;
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (commandLine.includes('gateway/dist/main.js')) return { name: 'gateway' };
    const agency = AGENCIES.find((entry) => commandLine.includes(`subgraphs/${entry.id}/dist/main.js`));
    if (agency) return { name: agency.id, agency };
  }
  return undefined;
}

function port(role) {
  if (!role.agency) return Number(process.env.GATEWAY_PORT || 4000);
  return Number(process.env[`${role.agency.envPrefix}_PORT`] || role.agency.defaultPort);
}

const role = runningRole();
if (!role) {
  // A one-off command (seed, token, audit verify) serves nothing: there is nothing to probe.
  process.exit(0);
}
fetch(`http://127.0.0.1:${port(role)}/healthz`, { signal: AbortSignal.timeout(2500) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  (error) => {
    console.error(`${role.name} /healthz: ${error.message}`);
    process.exit(1);
  },
);
