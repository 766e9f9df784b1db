/**
 * Reading what the source and target answer: listings (with and without url encoding,
 * entities decoded once, spaces kept), ACLs and the grant headers that recreate them, and
 * Riak CS's multipart/mixed user list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grantHeaders, parseAcl } from '../../../src/import/core/acl.js';
import { boundaryOf, parseUsersAnswer } from '../../../src/import/core/users-answer.js';
import {
  decodeXmlText,
  parseErrorBody,
  parseListBuckets,
  parseListObjects,
  parseUploadsOf,
  taggingHeaderOf,
} from '../../../src/import/core/xml.js';

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('listings', () => {
  it('decodes entities once, numeric ones included', () => {
    expect(decodeXmlText('a &amp;#65; &#65;&#x42; &lt;&quot;&apos;&gt;')).toBe('a &#65; AB <"\'>');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(decodeXmlText(escapeXml(text))).toBe(text);
      }),
    );
  });

  it('reads raw keys exactly, spaces and all, and pages by the last key', () => {
    const xml =
      '<?xml version="1.0"?><ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated>' +
      '<Contents><Key> lead &amp; trail </Key><Size>5</Size><ETag>&quot;abc&quot;</ETag>' +
      '<Owner><ID>owner1</ID></Owner></Contents>' +
      '<Contents><Key>ü/x+y</Key><Size>0</Size><ETag>"def-2"</ETag></Contents></ListBucketResult>';
    expect(parseListObjects(xml)).toEqual({
      objects: [
        { key: ' lead & trail ', size: 5, etag: 'abc', ownerId: 'owner1' },
        { key: 'ü/x+y', size: 0, etag: 'def-2' },
      ],
      truncated: true,
      nextMarker: 'ü/x+y',
    });
  });

  it('decodes url-encoded keys ("+" is a space) and NextMarker', () => {
    const xml =
      '<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>' +
      '<NextMarker>a%2Bb</NextMarker><Contents><Key>a+b%2Bc%C3%BC</Key><Size>1</Size>' +
      '<ETag>"e"</ETag></Contents></ListBucketResult>';
    const page = parseListObjects(xml);
    expect(page.objects[0]!.key).toBe('a b+cü');
    expect(page.nextMarker).toBe('a+b');
  });

  it('turns a Tagging document into the x-amz-tagging header', () => {
    const two =
      '<Tagging><TagSet><Tag><Key>a b</Key><Value>x&amp;y=z</Value></Tag>' +
      '<Tag><Key>ü</Key><Value></Value></Tag></TagSet></Tagging>';
    const header = taggingHeaderOf(two);
    expect([...new URLSearchParams(header)]).toEqual([
      ['a b', 'x&y=z'],
      ['ü', ''],
    ]);
    expect(taggingHeaderOf('<Tagging><TagSet/></Tagging>')).toBe('');
  });

  it('refuses a DTD and sizes that are not sizes', () => {
    expect(() => parseListObjects('<!DOCTYPE x [<!ENTITY a "b">]><ListBucketResult/>')).toThrow(
      /DTD/,
    );
    const bad =
      '<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>';
    expect(() => parseListObjects(bad)).toThrow(/Size/);
    expect(() => parseListObjects('<Error><Code>NoSuchBucket</Code></Error>')).toThrow();
  });

  it('reads buckets, uploads of one key, and error bodies', () => {
    const buckets =
      '<ListAllMyBucketsResult><Owner><ID>me</ID></Owner><Buckets><Bucket><Name>a</Name>' +
      '</Bucket><Bucket><Name>b</Name></Bucket></Buckets></ListAllMyBucketsResult>';
    expect(parseListBuckets(buckets)).toEqual({ ownerId: 'me', buckets: ['a', 'b'] });
    const uploads =
      '<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>' +
      '<Upload><Key>k</Key><UploadId>1</UploadId></Upload>' +
      '<Upload><Key>k2</Key><UploadId>2</UploadId></Upload></ListMultipartUploadsResult>';
    expect(parseUploadsOf(uploads, 'k')).toEqual({ ids: ['1'], truncated: false });
    expect(parseErrorBody('<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>')).toEqual({
      code: 'NoSuchKey',
      message: 'gone',
    });
    expect(parseErrorBody('not xml <')).toEqual({});
  });
});

const ACL =
  '<AccessControlPolicy><Owner><ID>owner</ID><DisplayName>o</DisplayName></Owner>' +
  '<AccessControlList>' +
  '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
  'xsi:type="CanonicalUser"><ID>owner</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>' +
  '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">' +
  '<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>' +
  '<Permission>READ</Permission></Grant>' +
  '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
  'xsi:type="CanonicalUser"><ID>friend</ID></Grantee><Permission>READ</Permission></Grant>' +
  '</AccessControlList></AccessControlPolicy>';

describe('ACLs', () => {
  it('parses grants and turns them into x-amz-grant-* headers', () => {
    const acl = parseAcl(ACL);
    expect(acl.ownerId).toBe('owner');
    expect(grantHeaders(acl)).toEqual({
      'x-amz-grant-full-control': 'id="owner"',
      'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers", id="friend"',
    });
    expect(grantHeaders({ ownerId: 'o', grants: [] })).toEqual({});
  });

  it('refuses what is not an ACL, unknown permissions and quotes in grantees', () => {
    expect(() => parseAcl('<Other/>')).toThrow();
    expect(() => parseAcl(ACL.replace('>READ<', '>EVERYTHING<'))).toThrow(/permission/);
    const quoted = {
      ownerId: 'o',
      grants: [{ grantee: { type: 'CanonicalUser' as const, id: 'a"b' }, permission: 'READ' }],
    };
    expect(() => grantHeaders(quoted)).toThrow(/quote/);
  });
});

describe('GET /riak-cs/users', () => {
  const user = (n: number) => ({
    email: `u${n}@example.com`,
    display_name: `u${n}`,
    name: `U${n}`,
    key_id: `KEY${n}`,
    key_secret: `secret${n}`,
    id: `${n}`.repeat(64).slice(0, 64),
    status: 'enabled',
  });

  it("reads Riak CS's multipart/mixed answer, every part", () => {
    const boundary = '3d5f1xq';
    const body =
      `\r\n--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify([user(1)])}` +
      `\r\n--${boundary}\r\nContent-Type: application/json\r\n\r\n[]` +
      `\r\n--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify([user(2)])}` +
      `\r\n--${boundary}--`;
    const users = parseUsersAnswer(`multipart/mixed; boundary=${boundary}`, body);
    expect(users.map((u) => u.keyId)).toEqual(['KEY1', 'KEY2']);
  });

  it('takes the boundary as plain text, quoted or not, never as a pattern', () => {
    expect(boundaryOf('multipart/mixed; boundary="a.b*c"')).toBe('a.b*c');
    expect(boundaryOf('application/json')).toBeUndefined();
    const json = JSON.stringify([user(3)]);
    const body = `--a.b*c\r\ncontent-type: application/json\r\n\r\n${json}\r\n--a.b*c--\r\n`;
    expect(parseUsersAnswer('multipart/mixed; boundary="a.b*c"', body)).toHaveLength(1);
  });

  it('refuses XML parts (the admin API was not asked for JSON)', () => {
    const body = '--b\r\nContent-Type: application/xml\r\n\r\n<Users/>\r\n--b--';
    expect(() => parseUsersAnswer('multipart/mixed; boundary=b', body)).toThrow(/JSON/);
  });
});
