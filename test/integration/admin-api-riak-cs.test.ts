/**
 * The Riak CS user API in the request shapes Riak CS's documentation shows, against a real
 * `cairn start --anonymous-user-creation`: curl with --data JSON and XML bodies (the real
 * curl binary), PUT as well as POST to create, XML answers with riak_cs_xml's elements in
 * its order, content negotiation by Accept, <UserUpdate> documents, and the list as
 * multipart/mixed <Users> pages.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCairn, type CairnProcess } from '../helpers/cairn-process.js';
import { missingTool } from '../helpers/tools.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { skipWith } from '../helpers/skip.js';

const run = promisify(execFile);
let server: CairnProcess;
useCairn({ args: ['--anonymous-user-creation'] }, (started) => ({ server } = started));
let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'cairn-s3cmd-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Runs curl; resolves with the status code and the body. */
async function curl(...args: string[]) {
  const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...args], {
    timeout: 10_000,
  });
  const at = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

const USER_XML = new RegExp(
  '^<\\?xml version="1.0" encoding="UTF-8"\\?><User><Email>([^<]+)</Email>' +
    '<DisplayName>([^<]+)</DisplayName><Name>([^<]+)</Name><KeyId>([A-Z0-9]{20})</KeyId>' +
    '<KeySecret>([\\w-]{40})</KeySecret><Id>([0-9a-f]{64})</Id><Status>(enabled|disabled)' +
    '</Status></User>$',
);

function xmlUser(body: string) {
  const m = USER_XML.exec(body);
  if (!m) throw new Error(`not Riak CS's user XML: ${body}`);
  return { email: m[1], displayName: m[2], name: m[3], keyId: m[4]!, secret: m[5]!, id: m[6] };
}

async function as(keys: { keyId: string; secret: string }, method: string, path: string, o = {}) {
  const res = await signedFetch(server.url, path, { method, credentials: keys, ...o });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('admin API: the shapes of Riak CS documentation', () => {
  it('creates users with curl --data, JSON or XML by Content-Type, POST or PUT', async () => {
    const url = `${server.url}/riak-cs/user`;
    const json = await curl(
      '-X',
      'POST',
      url,
      '-H',
      'Content-Type: application/json',
      '--data',
      '{"email":"foobar@example.com", "name":"foo bar"}',
    );
    expect(json.status).toBe(201);
    expect(JSON.parse(json.body)).toMatchObject({
      email: 'foobar@example.com',
      display_name: 'foobar',
      name: 'foo bar',
      status: 'enabled',
    });
    const xml = await curl(
      '-X',
      'POST',
      url,
      '-H',
      'Content-Type: application/xml',
      '--data',
      '<User>\n  <Email>xml@example.com</Email>\n  <Name>x m l</Name>\n</User>',
    );
    expect(xml.status).toBe(201);
    expect(xmlUser(xml.body)).toMatchObject({ email: 'xml@example.com', name: 'x m l' });
    const put = await curl(
      '-X',
      'PUT',
      url,
      '-H',
      'Content-Type: application/json',
      '--data',
      '{"email":"put@example.com","name":"put"}',
    );
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body)).toMatchObject({ email: 'put@example.com' });
  });

  it('refuses a body that is neither JSON nor XML (415) and creates nothing', async () => {
    const url = `${server.url}/riak-cs/user`;
    const form = await curl('-X', 'POST', url, '--data', '{"email":"form@example.com","name":"f"}');
    expect(form.status).toBe(415);
    expect(form.body).toContain('<Code>UnsupportedMediaType</Code>');
    const list = await as(server, 'GET', '/riak-cs/users', {
      headers: { accept: 'application/json' },
    });
    expect(list.body).not.toContain('form@example.com');
    const none = await curl(
      '-X',
      'POST',
      url,
      '-H',
      'Content-Type: application/json',
      '--data',
      '{"email":"foobar@example.com","name":"again"}',
    );
    expect(none.status).toBe(409);
  });

  it('never lets an anonymous caller read or change a user, even with creation open', async () => {
    const made = xmlUser(
      (
        await curl(
          '-X',
          'POST',
          `${server.url}/riak-cs/user`,
          '-H',
          'Content-Type: application/xml',
          '--data',
          '<User><Email>anon@example.com</Email>' + '<Name>anon</Name></User>',
        )
      ).body,
    );
    const path = `${server.url}/riak-cs/user/${made.keyId}`;
    expect((await curl(path)).status).toBe(403);
    const change = await curl(
      '-X',
      'PUT',
      path,
      '-H',
      'Content-Type: application/json',
      '--data',
      '{"status":"disabled"}',
    );
    expect(change.status).toBe(403);
  });

  it('answers by Accept: XML first, JSON when asked, 406 for neither; HEAD too', async () => {
    const made = xmlUser(
      (
        await curl(
          '-X',
          'POST',
          `${server.url}/riak-cs/user`,
          '-H',
          'Content-Type: application/xml',
          '--data',
          '<User><Email>self@example.com</Email><Name>self</Name></User>',
        )
      ).body,
    );
    const keys = { keyId: made.keyId, secret: made.secret };
    const own = await as(keys, 'GET', '/riak-cs/user');
    expect(own.type).toBe('application/xml');
    expect(xmlUser(own.body)).toMatchObject({ keyId: made.keyId, email: 'self@example.com' });
    const json = await as(keys, 'GET', `/riak-cs/user/${made.keyId}`, {
      headers: { accept: 'text/html;q=0.9, application/json' },
    });
    expect(JSON.parse(json.body)).toMatchObject({ key_id: made.keyId, buckets: [] });
    const html = await as(keys, 'GET', '/riak-cs/user', { headers: { accept: 'text/html' } });
    expect(html.status).toBe(406);
    const head = await as(keys, 'HEAD', `/riak-cs/user/${made.keyId}`);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(
      (
        await as(keys, 'PUT', '/riak-cs/user', {
          body: '{}',
          headers: {
            'content-type': 'application/json',
          },
        })
      ).status,
    ).toBe(403);
  });

  it('updates with <UserUpdate> documents: name, new key secret', async () => {
    const made = xmlUser(
      (
        await curl(
          '-X',
          'POST',
          `${server.url}/riak-cs/user`,
          '-H',
          'Content-Type: application/xml',
          '--data',
          '<User><Email>upd@example.com</Email><Name>upd</Name></User>',
        )
      ).body,
    );
    const keys = { keyId: made.keyId, secret: made.secret };
    const xml = { 'content-type': 'application/xml' };
    const renamed = await as(keys, 'PUT', `/riak-cs/user/${made.keyId}`, {
      headers: xml,
      body: '<?xml version="1.0" encoding="UTF-8"?><UserUpdate><Name>foobaz</Name></UserUpdate>',
    });
    expect(renamed.status).toBe(200);
    expect(xmlUser(renamed.body)).toMatchObject({ name: 'foobaz' });
    const rekeyed = await as(keys, 'PUT', `/riak-cs/user/${made.keyId}`, {
      headers: xml,
      body: '<UserUpdate><NewKeySecret>true</NewKeySecret></UserUpdate>',
    });
    const fresh = xmlUser(rekeyed.body);
    expect(fresh.keyId).toBe(made.keyId);
    expect(fresh.secret).not.toBe(made.secret);
    expect((await as(keys, 'GET', '/riak-cs/user')).status).toBe(403);
    expect(
      (await as({ keyId: made.keyId, secret: fresh.secret }, 'GET', '/riak-cs/user')).status,
    ).toBe(200);
  });

  it(
    's3cmd get s3://riak-cs/user - (the documentation example), SigV2 and SigV4',
    skipWith(missingTool('s3cmd')),
    async () => {
      const host = new URL(server.url).host;
      const config = join(dir, 's3cfg');
      for (const v2 of ['True', 'False']) {
        await writeFile(
          config,
          `[default]\naccess_key = ${server.keyId}\nsecret_key = ${server.secret}\n` +
            `host_base = ${host}\nhost_bucket = ${host}\nuse_https = False\n` +
            `signature_v2 = ${v2}\n`,
        );
        for (const path of ['s3://riak-cs/user', `s3://riak-cs/user/${server.keyId}`]) {
          const { stdout } = await run('s3cmd', ['-c', config, 'get', path, '-'], {
            timeout: 20_000,
          });
          expect(xmlUser(stdout.trim())).toMatchObject({ keyId: server.keyId });
        }
      }
    },
  );

  it('lists users as multipart/mixed <Users> pages, XML unless JSON is asked for', async () => {
    const xml = await as(server, 'GET', '/riak-cs/users');
    const boundary = /boundary=(\w+)/.exec(xml.type ?? '')![1]!;
    const parts = xml.body.split(`\r\n--${boundary}`).slice(1);
    expect(parts.at(-1)).toBe('--');
    const first = parts[0]!;
    expect(first).toMatch(/^\r\nContent-Type: application\/xml\r\n\r\n<\?xml[^>]*\?><Users><User>/);
    expect(first).toContain('<Email>foobar@example.com</Email>');
    const disabled = await as(server, 'GET', '/riak-cs/users?status=disabled');
    expect(disabled.body).toContain('<Users></Users>');
  });
});
