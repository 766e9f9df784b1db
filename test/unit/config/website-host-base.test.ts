/**
 * --website-host-base reaches the front end of `cairn start` and of every `cairn s3`, from a
 * flag, CAIRN_WEBSITE_HOST_BASE or the config file; unset, there is no website endpoint.
 */
import { describe, expect, it } from 'vitest';
import { frontEndSettings } from '../../../src/commands/options.js';
import { resolveSettings } from '../../../src/config/resolve.js';

const CLUSTER = { nodes: 'a:1', stanchion: 'b:2', cookie: '0123456789abcdef0123' };

describe('website host base', () => {
  it('is read from a flag, the environment or the file, on start and on s3', () => {
    const fromFlag = resolveSettings('start', {
      flags: { websiteHostBase: 'web.test' },
      env: {},
    });
    expect(fromFlag.problems).toEqual([]);
    expect(frontEndSettings(fromFlag.values, true).websiteHostBase).toBe('web.test');
    const fromEnv = resolveSettings('s3', {
      flags: CLUSTER,
      env: { CAIRN_WEBSITE_HOST_BASE: 's3-website.example.com' },
    });
    expect(fromEnv.problems).toEqual([]);
    expect(frontEndSettings(fromEnv.values, false).websiteHostBase).toBe('s3-website.example.com');
    const fromFile = resolveSettings('s3', {
      flags: CLUSTER,
      env: {},
      file: { path: 'cairn.conf', text: 'website.host_base = web.example.org\n' },
    });
    expect(fromFile.problems).toEqual([]);
    expect(frontEndSettings(fromFile.values, false).websiteHostBase).toBe('web.example.org');
  });

  it('is off unless set, and refuses what is not a domain', () => {
    const unset = resolveSettings('start', { flags: {}, env: {} });
    expect(frontEndSettings(unset.values, true).websiteHostBase).toBeUndefined();
    const bad = resolveSettings('start', { flags: { websiteHostBase: 'web/test' }, env: {} });
    expect(bad.problems).toHaveLength(1);
    expect(bad.problems[0]).toContain('--website-host-base');
  });

  it('refuses the S3 root host itself, whatever its case', () => {
    const same = resolveSettings('start', {
      flags: { websiteHostBase: 'S3.example.com', rootHost: 's3.example.com' },
      env: {},
    });
    expect(same.problems).toEqual([]);
    expect(() => frontEndSettings(same.values, true)).toThrow(/domain of its own/);
  });
});
