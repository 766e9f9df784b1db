#!/usr/bin/env node
/**
 * The `cairn` command: `start` (the embedded store), or one program of a cluster (`node`,
 * `stanchion`, `s3`). Options come from flags, then CAIRN_* environment variables, then
 * defaults. Nothing else lives here.
 */
import { Command } from 'commander';
import { registerNode } from './commands/node.js';
import { registerS3 } from './commands/s3.js';
import { registerStanchion } from './commands/stanchion.js';
import { registerStart } from './commands/start.js';

const program = new Command('cairn').description('Cairn: an S3-compatible object store');
registerStart(program);
registerNode(program);
registerStanchion(program);
registerS3(program);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`cairn: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
