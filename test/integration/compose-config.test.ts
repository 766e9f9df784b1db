/**
 * docker-compose.yml is valid and describes the cluster DESIGN.md asks for: five storage
 * nodes, two stanchions and two S3 front ends, each with a named volume or health check.
 * No Docker engine runs here, so `config` (parse, merge, validate) is the check.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { missingTool } from '../helpers/tools.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

describe('docker-compose.yml', () => {
  it.skipIf(missingTool('docker-compose'))('passes docker-compose config', async () => {
    const { stdout } = await run('docker-compose', ['config'], { cwd: ROOT });
    for (const service of [
      'dev1',
      'dev5',
      'stanchion',
      'stanchion2',
      's3-1',
      's3-2',
      'cluster-init',
    ]) {
      expect(stdout).toMatch(new RegExp(`^  ${service}:$`, 'm'));
    }
    for (const volume of ['dev1-data', 'dev5-data', 'stanchion-data', 'stanchion2-data']) {
      expect(stdout).toMatch(new RegExp(`^  ${volume}: \\{\\}$|^  ${volume}:$`, 'm'));
    }
    expect(stdout.match(/healthcheck:/g)?.length).toBeGreaterThanOrEqual(9);
  });
});
