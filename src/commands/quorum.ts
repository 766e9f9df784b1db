/**
 * The replication options of processes that coordinate requests (s3, stanchion):
 * n_val, r and w, checked against each other.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { checkQuorum, type Quorum } from '../../ring/client.js';
import { env, integer } from './options.js';

/** Adds --n-val, --r, --w. */
export function quorumOptions(command: Command): Command {
  return command
    .option(
      '--n-val <n>',
      'replicas per item (CAIRN_N_VAL)',
      integer(1, 5),
      Number(env.CAIRN_N_VAL ?? 3),
    )
    .option('--r <n>', 'read quorum (CAIRN_R)', integer(1, 5), Number(env.CAIRN_R ?? 2))
    .option('--w <n>', 'write quorum (CAIRN_W)', integer(1, 5), Number(env.CAIRN_W ?? 2))
    .option(
      '--pr <n>',
      'replies a read needs from primaries (CAIRN_PR)',
      integer(0, 5),
      Number(env.CAIRN_PR ?? 0),
    )
    .option(
      '--pw <n>',
      'acks a write needs from primaries (CAIRN_PW)',
      integer(0, 5),
      Number(env.CAIRN_PW ?? 0),
    );
}

/** The quorum the options ask for; refuses r or w above n_val. */
export function quorumOf(opts: Record<string, unknown>): Quorum {
  const quorum = {
    nVal: opts['nVal'] as number,
    r: opts['r'] as number,
    w: opts['w'] as number,
    pr: opts['pr'] as number,
    pw: opts['pw'] as number,
  };
  try {
    checkQuorum(quorum);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return quorum;
}
