import { InvalidArgumentError, type Command } from 'commander';
import { resolve } from 'node:path';
// Node's own modules only behind it: this file loads nothing heavier than commander (see cli.ts).
import { STORE_NAMES as STORES, type StoreName } from './storeNames';

interface StoreFolderOptions {
  auditDir?: string;
  witnessDir?: string;
  grantStoreDir?: string;
  registryDir?: string;
}

function storeFolderOptions(command: Command): Command {
  return command
    .option('--audit-dir <dir>', 'audit folder (default: AUDIT_DIR, or <data dir>/audit)')
    .option('--witness-dir <dir>', 'witness folder (default: AUDIT_WITNESS_DIR, or <data dir>/audit-witness)')
    .option('--grant-store-dir <dir>', 'grant store folder (default: GRANT_STORE_DIR, or <data dir>/grants)')
    .option('--registry-dir <dir>', 'schema registry folder (default: SCHEMA_REGISTRY_DIR, or schema/registry)');
}

/** The gateway's own settings for where the stores are, with a flag naming a folder in place of its variable. */
async function storeSettings(options: StoreFolderOptions) {
  const { loadGatewayConfig } = await import('@cdo-hub/gateway/config');
  const env = { ...process.env };
  if (options.witnessDir) delete env.AUDIT_WITNESS_REDIS_URL;
  if (options.grantStoreDir) delete env.GRANT_STORE_REDIS_URL;
  if (options.registryDir) delete env.SCHEMA_REGISTRY_REDIS_URL;
  return loadGatewayConfig(env, {
    ...(options.auditDir ? { auditDir: resolve(options.auditDir) } : {}),
    ...(options.witnessDir ? { auditWitnessDir: resolve(options.witnessDir) } : {}),
    ...(options.grantStoreDir ? { grantStoreDir: resolve(options.grantStoreDir) } : {}),
    ...(options.registryDir ? { schemaRegistryDir: resolve(options.registryDir) } : {}),
  });
}

function storeList(value: string): StoreName[] {
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(STORES as readonly string[]).includes(name));
  if (unknown.length || !names.length) throw new InvalidArgumentError(`stores are ${STORES.join(', ')}`);
  return names as StoreName[];
}

/** `hub backup` and `hub restore`: the hub's durable stores. */
export function registerBackupCommands(program: Command): void {
  storeFolderOptions(
    program
      .command('backup')
      .description(
        'copy the durable stores — audit trail (whole records only), its witness, grant store, schema registry — of a hub that may be serving into a new folder, with a manifest of every file’s size and SHA-256',
      )
      .requiredOption('--to <dir>', 'a new or empty folder'),
  ).action(async (options: StoreFolderOptions & { to: string }) => {
    const { takeBackup } = await import('./takeBackup.js');
    const { lines } = await takeBackup(await storeSettings(options), options.to);
    for (const line of lines) console.log(line);
  });

  storeFolderOptions(
    program
      .command('restore')
      .description(
        'restore a backup into the configured, empty stores (the backup is checked against its manifest first), then verify the trail as hub audit verify does (exit 1 if it does not verify)',
      )
      .requiredOption('--from <dir>', 'a folder hub backup wrote')
      .option(
        '--stores <list>',
        `which stores, comma-separated: ${STORES.join(', ')} (default: every store in the backup)`,
        storeList,
      )
      .option(
        '--replace',
        'move a store that is not empty aside (<folder>.before-restore-<time>) and restore over it; never the witness',
      ),
  ).action(async (options: StoreFolderOptions & { from: string; stores?: StoreName[]; replace?: boolean }) => {
    const { restoreBackup } = await import('./restoreBackup.js');
    const { checkpointKey } = await import('@cdo-hub/gateway/audit');
    const { loadSecrets } = await import('@cdo-hub/gateway/identity');
    const settings = await storeSettings(options);
    const secrets = loadSecrets({ production: settings.production });
    const { lines, exitCode } = await restoreBackup(settings, {
      from: options.from,
      ...(options.stores ? { stores: options.stores } : {}),
      replace: options.replace ?? false,
      signingKey: checkpointKey(secrets.subgraphSigningKey),
    });
    for (const line of lines) console.log(line);
    process.exitCode = exitCode;
  });
}
