/**
 * `cairn-admin`: the operator's command line, as riak-admin and riak-cs-admin were. One file
 * per command group; this one only wires them into commander and reports failures.
 */
import { Command } from 'commander';
import { cairnVersion } from '../version.js';
import { cliErrorText } from './endpoint-errors.js';
import { DEFAULT_URL } from './admin-client.js';
import { registerClusterCommands } from './cluster-commands.js';
import { registerGcCommands } from './gc-commands.js';
import { registerKmsCommands } from './kms-commands.js';
import { registerImportCommands } from './import-commands.js';
import { registerLifecycleCommands } from './lifecycle-commands.js';
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
import { registerQuotaCommands } from './quota-commands.js';

const ADMIN_HELP = `
Where each command speaks:
  the S3 and admin API  --url URL (CAIRN_URL; default http://127.0.0.1:8080): user, gc,
                        storage, quota, access, status, audit-bucket-ownership,
                        stanchion show|switch
  a storage node        --node HOST:PORT (CAIRN_NODE; default 127.0.0.1:8087) and the cluster
                        cookie --cookie (CAIRN_COOKIE): cluster, member-status, ring-status,
                        transfers; for the embedded store (cairn start), which has no
                        node, member-status and ring-status answer through --url
  the stanchions        stanchion status --stanchion HOST:PORT,... (CAIRN_STANCHION) and the
                        cookie; against the embedded store it reports its in-process one

Admin keys: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when set; otherwise cairn-admin reads
DIR/admin.json of --data-dir DIR (CAIRN_DATA_DIR), by default ./data/admin.json, which
cairn start writes on first start. Every command's own --help lists its options.`;

const program = new Command('cairn-admin')
  .description('administer a Cairn store')
  .version(cairnVersion(), '-V, --version', 'print the version')
  .showSuggestionAfterError(true)
  .addHelpText('after', ADMIN_HELP)
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
registerLifecycleCommands(program);
registerKmsCommands(program);
registerStorageCommands(program);
registerQuotaCommands(program);
registerAccessCommands(program);
registerMaintenanceCommands(program);
registerClusterInfoCommand(program);
registerStatusCommand(program);
registerAuditCommand(program);
registerImportCommands(program);

// The command that runs, named in messages: "member-status needs a storage node".
let running = 'cairn-admin';
program.hook('preAction', (_root, action) => {
  const names: string[] = [];
  for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
  running = names.join(' ');
});

program.parseAsync().catch((error: unknown) => {
  const url = program.opts<{ url?: string }>().url ?? process.env.CAIRN_URL ?? DEFAULT_URL;
  process.stderr.write(`cairn-admin: ${cliErrorText(error, running, url)}\n`);
  process.exit(1);
});
