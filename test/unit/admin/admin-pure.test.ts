/**
 * The pure parts of the operators' API: content negotiation as webmachine did it, user
 * documents, the GC batch's choice of entries, cleanup timestamps, the redaction of
 * cluster-info logs, and the status texts in riak-cs-admin's shapes.
 */
import { describe, expect, it } from 'vitest';
import { answerFormat, bodyFormat } from '../../../src/admin/negotiate.js';
import { parseCutoff } from '../../../src/admin/orphan-multipart.js';
import { parseUserCreate, parseUserUpdate, userFields } from '../../../src/admin/user-body.js';
import { userXml } from '../../../src/admin/user-render.js';
import { redactLine } from '../../../src/cli/cluster-info-text.js';
import { gcStatusText } from '../../../src/cli/render-gc.js';
import { storageStatusText } from '../../../src/cli/storage-batch-commands.js';
import { eligibility } from '../../../src/objects/gc-batch.js';
import type { OpenUser } from '../../../stanchion/secret-box.js';

const user: OpenUser = {
  id: 'c'.repeat(64),
  keyId: 'KEY0000000000000000A',
  secret: 's'.repeat(40),
  email: 'barf@spaceballs.com',
  name: 'barfolomew',
  displayName: 'barf',
  status: 'enabled',
  isAdmin: false,
  createdAtMs: 0,
};

describe('admin API: negotiation', () => {
  it.each([
    [undefined, 'xml'],
    ['*/*', 'xml'],
    ['application/json', 'json'],
    ['application/xml;q=0.5, application/json', 'json'],
    ['text/*', 'xml'],
    ['application/*;q=0.2, application/json;q=0.1', 'xml'],
    ['text/html', undefined],
    ['application/json;q=0', undefined],
  ])('Accept %j answers %j', (accept, format) => expect(answerFormat(accept)).toBe(format));

  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/XML', 'xml'],
    ['text/xml', 'xml'],
    ['application/x-www-form-urlencoded', undefined],
    [undefined, undefined],
  ])('Content-Type %j is %j', (type, format) => expect(bodyFormat(type)).toBe(format));
});

describe('admin API: user documents', () => {
  it("renders riak_cs_xml's user document, element for element", () => {
    expect(userXml(user)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><User><Email>barf@spaceballs.com</Email>' +
        '<DisplayName>barf</DisplayName><Name>barfolomew</Name><KeyId>KEY0000000000000000A' +
        `</KeyId><KeySecret>${user.secret}</KeySecret><Id>${user.id}</Id>` +
        '<Status>enabled</Status></User>',
    );
  });

  it('reads <User> and <UserUpdate> roots, and JSON objects only', () => {
    const xml = Buffer.from('<?xml version="1.0"?><UserUpdate><Name>n</Name></UserUpdate>');
    expect(userFields(xml, 'xml')).toEqual({ name: 'n' });
    expect(() => userFields(Buffer.from('<a/><b/>'), 'xml')).toThrow();
    expect(() => userFields(Buffer.from('[1]'), 'json')).toThrow(/JSON object/);
    expect(() => parseUserCreate({ email: 'a@b', name: 'n', admin: true })).toThrow(/admin/);
  });

  it('takes read-only fields only unchanged', () => {
    const doc = { display_name: 'barf', key_id: user.keyId, id: user.id, buckets: [], name: 'x' };
    expect(parseUserUpdate(doc, user)).toEqual({ name: 'x' });
    expect(() => parseUserUpdate({ id: 'other' }, user)).toThrow(/"id" cannot be changed/);
    expect(() => parseUserUpdate({ key_secret: 'x' }, user)).toThrow(/new_key_secret/);
  });
});

describe('gc batch: which entries', () => {
  const now = 1_000_000;
  const entry = (queuedS: number, dueS: number) => ({
    queuedMs: now - queuedS * 1000,
    dueMs: now - dueS * 1000,
  });
  it('collects due entries by default, by age with a leeway, by queue time in a window', () => {
    expect(eligibility({}, now)(entry(100, 1))).toBe(true);
    expect(eligibility({}, now)(entry(100, -1))).toBe(false);
    expect(eligibility({ leewaySeconds: 50 }, now)(entry(100, -1000))).toBe(true);
    expect(eligibility({ leewaySeconds: 150 }, now)(entry(100, 1))).toBe(false);
    const window = { startMs: now - 200_000, endMs: now - 50_000 };
    expect(eligibility(window, now)(entry(100, -1000))).toBe(true);
    expect(eligibility(window, now)(entry(10, 5))).toBe(false);
    expect(eligibility(window, now)(entry(300, 5))).toBe(false);
  });
});

describe('cleanup-orphan-multipart: timestamps', () => {
  it('reads ISO 8601 as Riak CS took it, extended or basic, and nothing else', () => {
    expect(parseCutoff('2014-07-30T11:09:30.000Z')).toBe(Date.UTC(2014, 6, 30, 11, 9, 30));
    expect(parseCutoff('20140730T110930Z')).toBe(Date.UTC(2014, 6, 30, 11, 9, 30));
    for (const bad of ['2014-02-30T00:00:00Z', 'yesterday', '1406718570', '2014-07-30']) {
      expect(parseCutoff(bad)).toBeUndefined();
    }
  });
});

describe('cluster-info: redaction', () => {
  it.each([
    ['AWS_SECRET_ACCESS_KEY=abc/def', 'AWS_SECRET_ACCESS_KEY=(hidden)'],
    ['{"key_id":"K","key_secret":"abc"}', '{"key_id":"K","key_secret":"(hidden)"}'],
    ['node main.js s3 --cookie sesame --port 1', 'node main.js s3 --cookie (hidden) --port 1'],
    ['admin.secret = xyz', 'admin.secret = (hidden)'],
    ['CAIRN_COOKIE=0123456789abcdef node main.js node', 'CAIRN_COOKIE=(hidden) node main.js node'],
    ['distributed_cookie = 0123456789abcdef', 'distributed_cookie = (hidden)'],
    ['plain line', 'plain line'],
  ])('%j', (line, shown) => expect(redactLine(line)).toBe(shown));
});

describe('status texts', () => {
  it('gc status: the state line and details in riak-cs-admin gc status shape', () => {
    const text = gcStatusText(
      {
        due: 2,
        pending: 3,
        blockSetsDue: 4,
        leewaySeconds: 86400,
        intervalSeconds: 'infinity',
        paused: true,
        batch: { running: true, startedAtMs: 0, collected: 7 },
        workers: [
          { workerId: 'dev1@h', lastCollect: { startedAtMs: 0, finishedAtMs: 1000, collected: 5 } },
        ],
      },
      60_000,
    );
    expect(text.split('\n').slice(0, 5)).toEqual([
      'A garbage collection batch is in progress',
      '  The current garbage collection interval is: infinity (i.e. gc is disabled)',
      '  The current garbage collection leeway time is: 86400',
      '  Paused: yes, until cairn-admin gc resume',
      '  Next run scheduled for: undefined',
    ]);
    expect(text).toContain('  Files deleted in current run: 7\n');
    expect(text).toContain('  Elapsed time of current run: 60\n');
    expect(text).toContain('  Collector dev1@h: 5 collected at 19700101T000001Z\n');
  });

  it('storage status: idle and paused', () => {
    const schedule = { periodMs: 3_600_000, nextMs: 0 };
    expect(storageStatusText({ state: 'idle', schedule })).toBe(
      'There is no storage calculation in progress\n  Schedule: every 1h\n' +
        '  Last run started at: unknown/never\n  Next run scheduled for: 19700101T000000Z\n',
    );
    const paused = storageStatusText({
      state: 'paused',
      schedule: { periodMs: 0 },
      startedAtMs: Date.now(),
      usersDone: 3,
      usersLeft: 4,
    });
    expect(paused).toContain('A storage calculation is currently paused\n  Schedule: none defined');
    expect(paused).toContain(
      '  Users completed in current run: 3\n  Users left in current run: 4\n',
    );
  });
});
