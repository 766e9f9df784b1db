/**
 * The replication settings of processes that coordinate requests (s3, stanchion): n_val,
 * r, w, pr and pw, checked against each other.
 */
import { checkQuorum, type Quorum } from '../../ring/client.js';
import type { Settings } from './options.js';

/** The quorum the settings ask for; refuses r or w above n_val. */
export function quorumOf(s: Settings): Quorum {
  const quorum = {
    nVal: s['nVal'] as number,
    r: s['r'] as number,
    w: s['w'] as number,
    pr: s['pr'] as number,
    pw: s['pw'] as number,
  };
  checkQuorum(quorum);
  return quorum;
}
