/**
 * `cairn-admin`: the operator's command line, as riak-admin and riak-cs-admin were. One file
 * per command group; this one only wires them into commander and reports failures.
 */
import { Command } from 'commander';
import { registerClusterCommands } from './cluster-commands.js';
import { registerGcCommands } from './gc-commands.js';
import { registerKmsCommands } from './kms-commands.js';
import { registerImportCommands } from './import-commands.js';
import { addInternalTlsOptions } from './internal-client-of.js';
import { registerStanchionCommands } from './stanchion-commands.js';
import {
  registerAuditCommand,
  registerClusterInfoCommand,
  registerMaintenanceCommands,
  registerStatusCommand,
} from './maintenance-commands.js';
import { registerAccessCommands } from './storage-batch-commands.js';
import { registerStorageCommands } from './storage-commands.js';
import { registerUserCommands } from './user-commands.js';

const program = new Command('cairn-admin')
  .description('administer a Cairn store')
  .option('--url <url>', 'the store (CAIRN_URL; default http://127.0.0.1:8080)')
  .option('--data-dir <dir>', 'read the admin keys from this data dir (CAIRN_DATA_DIR)')
  .option(
    '--secret-key-file <file>',
    "the store's key file, to open the admin secret in --data-dir (CAIRN_SECRET_KEY_FILE)",
  )
  .option('--node <host:port>', 'storage node for cluster commands (CAIRN_NODE)')
  .option('--cookie <secret>', 'cluster cookie (CAIRN_COOKIE), for --node and stanchion status');
addInternalTlsOptions(program);

registerUserCommands(program);
registerClusterCommands(program);
registerStanchionCommands(program);
registerGcCommands(program);
registerKmsCommands(program);
registerStorageCommands(program);
registerAccessCommands(program);
registerMaintenanceCommands(program);
registerClusterInfoCommand(program);
registerStatusCommand(program);
registerAuditCommand(program);
registerImportCommands(program);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`cairn-admin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
