/**
 * Settling settings from flags, CAIRN_* variables, a config file and defaults: precedence,
 * Riak CS keys (same name, same meaning; ignored with a reason; refused when they ask for
 * what Cairn does not do), typos, and the table's own invariants.
 */
import { describe, expect, it } from 'vitest';
import { renderSettings } from '../../../src/config/render.js';
import { resolveSettings, type SettingSources } from '../../../src/config/resolve.js';
import { PROGRAMS, type Program } from '../../../src/config/setting.js';
import { settingsFor } from '../../../src/config/settings.js';

/** A cluster program's cookie, as a config line. */
const COOKIE = 'distributed_cookie = 0123456789abcdef0123\n';

function settle(program: Program, text: string | undefined, more: Partial<SettingSources> = {}) {
  return resolveSettings(program, {
    flags: {},
    env: {},
    ...(text === undefined ? {} : { file: { path: 'cairn.conf', text } }),
    ...more,
  });
}

describe('settings: precedence', () => {
  it('takes a flag over CAIRN_*, CAIRN_* over the file, the file over the default', () => {
    const file = 'listener = 0.0.0.0:9000\nregion = eu-west-1\n';
    const env = { CAIRN_PORT: '9001', CAIRN_REGION: 'ap-south-1' };
    const all = settle('start', file, { env, flags: { port: '9002' } });
    expect(all.problems).toEqual([]);
    expect(all.values).toMatchObject({ host: '0.0.0.0', port: 9002, region: 'ap-south-1' });
    expect(all.origins).toMatchObject({ host: 'file', port: 'flag', region: 'env' });
    const none = settle('start', undefined);
    expect(none.values).toMatchObject({ host: '127.0.0.1', port: 8080, gcLeeway: 86_400 });
    expect(none.origins['port']).toBe('default');
  });

  it('reads Riak CS keys with their meaning: durations, flags, sizes, root_host', () => {
    const file = [
      'gc.leeway_period = 2h',
      'gc.interval = infinity',
      'anonymous_user_creation = on',
      'object.block_size = 4MB',
      'cs_root_host = s3.example.com',
      'max_buckets_per_user = 250',
      'log.console.level = warning',
    ].join('\n');
    const { values, problems } = settle('start', file);
    expect(problems).toEqual([]);
    expect(values).toMatchObject({
      gcLeeway: 7200,
      gcInterval: Infinity,
      anonymousUserCreation: true,
      blockSize: 4 * 1024 * 1024,
      rootHost: 's3.example.com',
      maxBucketsPerUser: 250,
      logLevel: 'warn',
    });
  });

  it('a boolean flag given on the command line is on', () => {
    const settled = settle('s3', undefined, {
      flags: { anonymousUserCreation: true, nodes: 'a:1', stanchion: 'b:2' },
    });
    expect(settled.values['anonymousUserCreation']).toBe(true);
  });
});

describe('settings: problems name where they are', () => {
  it('names the file and line, the variable, or the flag', () => {
    const settled = settle('start', '\n\ngc.interval = soon\n', {
      env: { CAIRN_BLOCK_SIZE: 'huge' },
      flags: { port: '70000' },
    });
    expect(settled.problems).toEqual([
      'cairn.conf:3: gc.interval: not a duration: "soon" (write it as 30s, 15m, 24h, 1h30m, 500ms)',
      '--port: expected an integer from 0 to 65535, not "70000"',
      'CAIRN_BLOCK_SIZE: not a size: "huge" (write it as 1048576, 512KB or 1MB)',
    ]);
  });

  it('suggests the setting a typo meant, and sorts problems by line', () => {
    const settled = settle('start', 'nonsense.key = 1\ngc.leway_period = 2h\n');
    expect(settled.problems).toEqual([
      "cairn.conf:1: unknown setting nonsense.key (see the README's table of keys)",
      'cairn.conf:2: unknown setting gc.leway_period (did you mean gc.leeway_period?)',
    ]);
  });

  it('says a bad listener once, though it is two settings', () => {
    expect(
      settle('s3', `listener = 1.2.3.4\nriak_host = a:1\nstanchion_host = b:2\n${COOKIE}`).problems,
    ).toEqual([
      'cairn.conf:1: listener: not a host:port address: "1.2.3.4" (write it as 127.0.0.1:8080)',
    ]);
  });

  it('asks for what a program needs, and the ways to give it', () => {
    expect(settle('s3', '').problems).toEqual([
      'nodes is required: set --nodes, or CAIRN_NODES, or riak_host in --config',
      'stanchion is required: set --stanchion, or CAIRN_STANCHION, or stanchion_host in --config',
      'cookie is required: set --cookie, or CAIRN_COOKIE, or distributed_cookie in --config; ' +
        'every process of a cluster needs the same secret cookie, and there is no default ' +
        '(make one with: openssl rand -hex 32)',
    ]);
  });

  it.each(['s3', 'node', 'stanchion'] as const)(
    '%s: no built-in cookie, none under 16 characters; nodes and stanchions on loopback',
    (program) => {
      expect(settle(program, '', { flags: { nodes: 'a:1', stanchion: 'b:2' } }).problems).toEqual([
        expect.stringMatching(
          /^cookie is required: set --cookie, or CAIRN_COOKIE, or distributed_cookie/,
        ),
      ]);
      const short = settle(
        program,
        'distributed_cookie = riak\nriak_host = a:1\nstanchion_host = b:2',
      );
      expect(short.problems).toEqual([
        expect.stringMatching(/^cairn.conf:1: distributed_cookie: expected at least 16 characters/),
      ]);
      const good = settle(program, `${COOKIE}riak_host = a:1\nstanchion_host = b:2`);
      expect(good.problems).toEqual([]);
      expect(good.values['host']).toBe('127.0.0.1');
    },
  );

  it('refuses one setting written under two of its names', () => {
    const settled = settle('start', 'root_host = a.example\ncs_root_host = b.example\n');
    expect(settled.problems).toEqual([
      'cairn.conf:2: root_host (line 1) and cs_root_host (line 2) set the same setting: keep one',
    ]);
  });
});

describe('settings: a Riak CS operator brings their file', () => {
  it('ignores keys with no meaning here, saying why, and refuses those that ask for more', () => {
    const file = [
      'pool.request.size = 128',
      'log.console.file = /var/log/riak-cs/console.log',
      'dtrace = off',
    ].join('\n');
    const settled = settle('start', file);
    expect(settled.problems).toEqual([]);
    expect(settled.notices).toEqual([
      expect.stringMatching(/^cairn.conf:1: pool.request.size ignored: .*connection pool/),
      expect.stringMatching(/^cairn.conf:2: log.console.file ignored: .*standard output/),
      expect.stringMatching(/^cairn.conf:3: dtrace ignored: Cairn has no DTrace probes/),
    ]);
    const refused = settle('start', 'dtrace = on\nssl.cacertfile = ./ca.pem\nauth_module = x');
    expect(refused.problems).toEqual([
      'cairn.conf:1: dtrace = on: not supported: Cairn has no DTrace probes',
      expect.stringMatching(/^cairn.conf:2: ssl.cacertfile = .*ssl.certfile and ssl.keyfile only/),
      expect.stringMatching(/^cairn.conf:3: auth_module = x: not supported: .*S3 signatures/),
    ]);
  });

  it('refuses values Cairn cannot honour: unlimited buckets, old listing, stanchion TLS', () => {
    const file = [
      'max_buckets_per_user = unlimited',
      'fold_objects_for_list_keys = off',
      'stanchion.ssl = on',
      'riak_host = a:1',
      'stanchion_host = b:2',
      COOKIE,
    ].join('\n');
    expect(settle('s3', file).problems).toEqual([
      expect.stringMatching(/^cairn.conf:1: max_buckets_per_user: unlimited is not supported/),
      expect.stringMatching(/^cairn.conf:2: fold_objects_for_list_keys: Cairn always lists/),
      expect.stringMatching(
        /^cairn.conf:3: stanchion.ssl: TLS between a cluster's processes.*internal_tls/,
      ),
    ]);
    const honoured = file
      .replace('unlimited', '5')
      .replace('fold_objects_for_list_keys = off', 'fold_objects_for_list_keys = on')
      .replace('stanchion.ssl = on', 'stanchion.ssl = off');
    expect(settle('s3', honoured).problems).toEqual([]);
  });

  it("reads riak-cs.conf's ssl.certfile and ssl.keyfile: the S3 port's TLS pair", () => {
    const file = 'ssl.certfile = "/etc/riak-cs/cert.pem"\nssl.keyfile = /etc/riak-cs/key.pem\n';
    const front = settle('start', file);
    expect(front.problems).toEqual([]);
    expect(front.values).toMatchObject({
      tlsCert: '/etc/riak-cs/cert.pem',
      tlsKey: '/etc/riak-cs/key.pem',
    });
    const stanchion = settle('stanchion', `riak_host = a:1\n${file}${COOKIE}`);
    expect(stanchion.problems).toEqual([]);
    expect(stanchion.notices).toEqual([
      'cairn.conf:2: ssl.certfile ignored: cairn stanchion does not use it (start, s3 do)',
      'cairn.conf:3: ssl.keyfile ignored: cairn stanchion does not use it (start, s3 do)',
    ]);
  });

  it("reads another program's key as ignored here, not as unknown", () => {
    const settled = settle('stanchion', `riak_host = a:1\ngc.leeway_period = 1h\n${COOKIE}`);
    expect(settled.problems).toEqual([]);
    expect(settled.notices).toEqual([
      'cairn.conf:2: gc.leeway_period ignored: cairn stanchion does not use it ' +
        '(start, s3, node do)',
    ]);
  });
});

describe('settings: the table', () => {
  it.each(PROGRAMS)('%s: names, flags, variables and keys are each used once', (program) => {
    const rows = settingsFor(program);
    const once = (values: Array<string | undefined>) => {
      const given = values.filter((v) => v !== undefined);
      expect(new Set(given).size).toBe(given.length);
    };
    once(rows.map((r) => r.name));
    once(rows.map((r) => r.flag?.split(' ')[0]));
    once(rows.map((r) => r.env));
    once(rows.filter((r) => !r.fromKey).flatMap((r) => [r.key, ...(r.keyAliases ?? [])]));
    for (const row of rows) expect(row.key, row.name).toBeDefined();
  });

  it.each(PROGRAMS)('%s: every default reads back from how it is written', (program) => {
    for (const row of settingsFor(program)) {
      if (row.default === undefined) continue;
      expect(row.type.parse(row.type.format(row.default)), row.name).toEqual(row.default);
    }
  });

  it('renders settled settings as config lines, secrets hidden, that read back the same', () => {
    const file =
      'listener = [::1]:9000\ndistributed_cookie = s3cr3t-s3cr3t-s3cr3t\nriak_host = a:1\n' +
      'stanchion_host = b:2\nadmin.secret = abcdefghijklmnopqrstuvwxyz\n';
    const settled = settle('s3', file);
    const lines = renderSettings('s3', settled);
    expect(lines).toContain('listener = [::1]:9000  # file');
    expect(lines).toContain('distributed_cookie = (set)  # file');
    expect(lines.join('\n')).not.toContain('s3cr3t');
    const reread = settle(
      's3',
      `${lines.filter((l) => !l.includes('(set)')).join('\n')}\n${COOKIE}`,
    );
    expect(reread.problems).toEqual([]);
    expect(reread.values['host']).toBe('::1');
  });
});
