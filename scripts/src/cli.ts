import { Command } from 'commander';
import { registerAuditCommands } from './audit/registerCommands';
import { registerBackupCommands } from './backup/registerCommands';
import { registerBenchCommands } from './bench/registerCommands';
import { registerCacheCommands } from './cache/registerCommands';
import { registerCapacityCommands } from './capacity/registerCommands';
import { registerCatalogCommands } from './catalog/registerCommands';
import { registerComposeCommands } from './compose/registerCommands';
import { registerDisputeCommands } from './dispute/registerCommands';
import { registerDocsCommands } from './docs/registerCommands';
import { registerGrantCommands } from './grant/registerCommands';
import { registerOperationsCommands } from './operations/registerCommands';
import { registerPolicyCommands } from './policy/registerCommands';
import { registerReceiptCommands } from './receipt/registerCommands';
import { registerSchemaCommands } from './schema/registerCommands';
import { registerSeedCommands } from './seed/registerCommands';
import { registerSoakCommands } from './soak/registerCommands';
import { registerStartCommands } from './start/registerCommands';
import { registerTokenCommands } from './token/registerCommands';

// Each command group registers its commands from its own folder (`<group>/registerCommands.ts`);
// each command imports its code when it runs (`await import` in its action), not at start-up: the
// gateway and the agencies pull in Apollo, Fastify and SQLite, most of a second of loading, and a
// quick command such as `hub token` (pasted as `TOKEN=$(npx hub token …)`) must not pay for it.

/** `hub`: the one CLI for operator tasks. */
export const program = new Command('hub')
  .description('cdo-hub operator CLI: run the hub, compose the supergraph, seed agency databases')
  .showHelpAfterError();

// The order here is the order of `hub --help` and of the generated CLI reference.
registerStartCommands(program);
registerComposeCommands(program);
registerSeedCommands(program);
registerDocsCommands(program);
registerOperationsCommands(program);
registerTokenCommands(program);
registerBenchCommands(program);
registerSoakCommands(program);
registerCapacityCommands(program);
registerAuditCommands(program);
registerBackupCommands(program);
registerPolicyCommands(program);
registerCatalogCommands(program);
registerCacheCommands(program);
registerGrantCommands(program);
registerDisputeCommands(program);
registerReceiptCommands(program);
registerSchemaCommands(program);

// Parsed only when run as the CLI (directly or through bin/hub.js): `hub docs`' freshness test
// imports `program` to read the commands' definitions.
const runAsCli = require.main === module || /[\\/]bin[\\/]hub\.js$/.test(require.main?.filename ?? '');
if (runAsCli) {
  program.parseAsync(process.argv).catch(async (error: unknown) => {
    const { describeWorkflowError } = await import('./grant/grantCommands.js');
    const { describeDisputeError } = await import('./dispute/disputeCommands.js');
    console.error(`hub: ${describeWorkflowError(error) ?? describeDisputeError(error) ?? (error as Error).message}`);
    process.exit(1);
  });
}
