#!/usr/bin/env node
/**
 * The `cairn` command: `start` (the embedded store), one program of a cluster (`node`,
 * `stanchion`, `s3`), and riak-cs's own commands (`ping`, `version`, `chkconfig`,
 * `getpid`). Settings come from flags, then CAIRN_* variables, then a --config file, then
 * defaults (src/config). Nothing else lives here.
 */
import { Command } from 'commander';
import { registerChkconfig } from './commands/chkconfig.js';
import { registerNode } from './commands/node.js';
import { registerGetpid } from './commands/pid-file.js';
import { registerPing } from './commands/ping.js';
import { registerRekeySecrets } from './commands/rekey-secrets.js';
import { registerS3 } from './commands/s3.js';
import { registerStanchion } from './commands/stanchion.js';
import { registerStart } from './commands/start.js';
import { cairnVersion } from './version.js';

// Before anything is created: the data dir (0700) and every file in it (0600: keys, records,
// object data, the pid file) are private to the user cairn runs as, whatever umask it
// inherited. A umask, not a chmod after each write, so no file is ever readable meanwhile.
process.umask(0o077);

const program = new Command('cairn')
  .description('Cairn: an S3-compatible object store')
  .version(cairnVersion(), '-V, --version')
  .option('--config <file>', 'read settings from a config file (CAIRN_CONFIG)');
registerStart(program);
registerNode(program);
registerStanchion(program);
registerS3(program);
registerPing(program);
registerChkconfig(program);
registerGetpid(program);
registerRekeySecrets(program);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`cairn: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
