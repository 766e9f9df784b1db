/**
 * The messages of src/cli/endpoint-errors.ts and the pure parts of its probe: each network
 * failure said in words with the flag to change, S3 error bodies reduced to Code and
 * Message, key refusals told apart from other refusals, answers told apart by their body.
 */
import { describe, expect, it } from 'vitest';
import {
  cliErrorText,
  keysRefusedError,
  networkCause,
  refusalText,
  s3ErrorOf,
  unreachableError,
  wrongKindError,
} from '../../../src/cli/endpoint-errors.js';
import { kindOfAnswer, storeUrl } from '../../../src/cli/endpoint-probe.js';
import { nodeAddress } from '../../../src/cli/node-target.js';

/** fetch's shape: TypeError('fetch failed') with the socket error as its cause. */
function fetchFailed(code: string | undefined, message = `connect ${code}`): TypeError {
  const cause = Object.assign(new Error(message), code ? { code } : {});
  return new TypeError('fetch failed', { cause });
}

const XML =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUser</Code>' +
  '<Message>The specified user does not exist.</Message><RequestId>1</RequestId></Error>';

describe('endpoint errors: network failures', () => {
  it.each([
    ['ECONNREFUSED', /nothing is listening there \(connection refused\); start it, or point/],
    ['ENOTFOUND', /host name db\.example does not resolve \(ENOTFOUND\)/],
    ['ETIMEDOUT', /no answer in time \(ETIMEDOUT\)/],
    ['UND_ERR_CONNECT_TIMEOUT', /no answer in time/],
    ['ECONNRESET', /closed the connection \(ECONNRESET\)/],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /certificate was not accepted.*NODE_EXTRA_CA_CERTS/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', /one side speaks TLS.*https:\/\//],
    ['EHOSTUNREACH', /no route to db\.example/],
  ])('%s at --url is said in words, with --url to change', (code, words) => {
    const error = unreachableError({ address: 'db.example:8080', kind: 's3' }, fetchFailed(code));
    const text = error.render('user list');
    expect(text).toMatch(/^user list could not reach the S3 and admin endpoint/);
    expect(text).toContain('db.example:8080');
    expect(text).toMatch(words);
    if (code !== 'DEPTH_ZERO_SELF_SIGNED_CERT') expect(text).toContain('--url');
    expect(text).not.toContain('fetch failed');
  });

  it('names the node flag and the internal TLS options for a node', () => {
    const refused = unreachableError(
      { address: '10.0.0.1:8087', kind: 'node' },
      fetchFailed('ECONNREFUSED'),
    );
    expect(refused.render('member-status')).toContain('--node HOST:PORT (CAIRN_NODE)');
    const tls = unreachableError(
      { address: '10.0.0.1:8087', kind: 'node' },
      fetchFailed('CERT_HAS_EXPIRED'),
    );
    expect(tls.render('ring-status')).toContain('--internal-tls-ca (CAIRN_INTERNAL_TLS_CA)');
  });

  it('reads the code through the cause chain, and the internal client timeout', () => {
    expect(networkCause(fetchFailed('ECONNREFUSED')).code).toBe('ECONNREFUSED');
    expect(networkCause(new Error('timeout 15000 ms')).code).toBe('ETIMEDOUT');
    const nested = new TypeError('fetch failed', {
      cause: new AggregateError([fetchFailed('EPIPE')]),
    });
    expect(networkCause(nested).code).toBe('EPIPE');
  });

  it('a stray fetch failure at the top is said for --url; other errors pass as they are', () => {
    const text = cliErrorText(fetchFailed('ECONNREFUSED'), 'gc status', 'http://127.0.0.1:9');
    expect(text).toMatch(/^gc status could not reach .* at http:\/\/127\.0\.0\.1:9: nothing is/);
    expect(cliErrorText(new Error('not a port: x'), 'stanchion switch', 'u')).toBe('not a port: x');
  });
});

describe('endpoint errors: what answered', () => {
  it('names the program found and the program needed', () => {
    const error = wrongKindError({ address: '127.0.0.1:8090', kind: 'node' }, 's3');
    expect(error.render('member-status')).toBe(
      '127.0.0.1:8090 is an S3 endpoint; member-status needs a storage node (cairn node): ' +
        '--node HOST:PORT (CAIRN_NODE)',
    );
  });

  it('tells answers apart by their body', () => {
    expect(kindOfAnswer('{"nodeId":"dev1@127.0.0.1"}')).toBe('node');
    expect(kindOfAnswer('{"role":"standby"}')).toBe('stanchion');
    expect(kindOfAnswer(XML)).toBe('s3');
    expect(kindOfAnswer('OK')).toBe('s3');
    expect(kindOfAnswer('<html>nginx</html>')).toBe('other');
    expect(kindOfAnswer('{"error":"internal request refused: bad signature"}')).toBe('other');
  });
});

describe('endpoint errors: refusals', () => {
  it('reduces an S3 error body to Code and Message, never the XML', () => {
    expect(s3ErrorOf(XML)).toEqual({
      code: 'NoSuchUser',
      message: 'The specified user does not exist.',
    });
    expect(s3ErrorOf('{"a":1}')).toBeUndefined();
    expect(refusalText(404, XML)).toBe(
      'the store refused (HTTP 404): NoSuchUser: The specified user does not exist.',
    );
    expect(refusalText(502, 'bad\u0007 gateway\n')).toBe(
      'the store refused (HTTP 502): bad gateway',
    );
  });

  it('says which of the admin keys is wrong, and where keys come from', () => {
    const body = (code: string) => XML.replace('NoSuchUser', code);
    const unknown = keysRefusedError('h:1', 'AKID', 403, body('InvalidAccessKeyId'));
    expect(unknown?.render('user list')).toMatch(/does not know \(InvalidAccessKeyId\).*AKID/);
    expect(unknown?.render('user list')).toMatch(/AWS_ACCESS_KEY_ID.*--data-dir.*admin\.json/);
    const secret = keysRefusedError('h:1', 'AKID', 403, body('SignatureDoesNotMatch'));
    expect(secret?.render('gc status')).toContain('SignatureDoesNotMatch');
    expect(keysRefusedError('h:1', 'AKID', 404, body('InvalidAccessKeyId'))).toBeUndefined();
    expect(keysRefusedError('h:1', 'AKID', 403, body('InvalidRequest'))).toBeUndefined();
  });
});

describe('node addresses', () => {
  it.each([
    ['127.0.0.1:8101', '127.0.0.1:8101'],
    ['dev1@127.0.0.1:8101', '127.0.0.1:8101'],
    ['http://127.0.0.1:8101/', '127.0.0.1:8101'],
    ['HTTPS://node3', 'node3:8087'],
  ])('%s → %s', (given, address) => {
    expect(nodeAddress(given)).toBe(address);
  });

  it('refuses anything else, showing the form', () => {
    expect(() => nodeAddress('127.0.0.1:8101/x?y')).toThrow(/NAME@HOST:PORT/);
  });
});

describe('store URLs', () => {
  it('takes host:port as http:// and refuses what is not an http(s) URL', () => {
    expect(storeUrl('127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(storeUrl('https://s3.example:8443')).toBe('https://s3.example:8443');
    for (const bad of ['ftp://x', 'http://', 'h ttp://x']) {
      expect(() => storeUrl(bad)).toThrow(/--url \(CAIRN_URL\) as http:\/\/HOST:PORT/);
    }
  });
});
