/**
 * Riak CS's usage shapes: the JSON and XML documents riak_cs_wm_usage.erl renders, for
 * access (nodes, samples, operations) and storage (samples, buckets), and its errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accessFields,
  mergeOperationStats,
  type AccessSample,
} from '../../../src/usage/core/access-stats.js';
import {
  renderUsageError,
  renderUsageJson,
  renderUsageXml,
  type StorageSample,
} from '../../../src/usage/core/usage-render.js';

const T0 = Date.UTC(2012, 0, 13, 19, 45, 10);
const T1 = Date.UTC(2012, 0, 13, 19, 45, 20);
const access: AccessSample[] = [
  {
    node: 'riak-cs@127.0.0.1',
    startMs: T0,
    endMs: T1,
    ops: { GetObject: { Count: 1, BytesOut: 22 }, PutObject: { Count: 2, BytesIn: 44 } },
  },
];
const storage: StorageSample[] = [
  { startMs: T0, endMs: T1, buckets: { photos: { objects: 3, bytes: 1024 } } },
];

describe('usage: rendering', () => {
  it('JSON in Riak CS shape', () => {
    expect(JSON.parse(renderUsageJson({ access, storage }))).toEqual({
      Access: {
        Nodes: [
          {
            Node: 'riak-cs@127.0.0.1',
            Samples: [
              {
                StartTime: '20120113T194510Z',
                EndTime: '20120113T194520Z',
                GetObject: { Count: 1, BytesIn: 0, BytesOut: 22 },
                PutObject: { Count: 2, BytesIn: 44, BytesOut: 0 },
              },
            ],
          },
        ],
        Errors: [],
      },
      Storage: {
        Samples: [
          {
            StartTime: '20120113T194510Z',
            EndTime: '20120113T194520Z',
            photos: { Objects: 3, Bytes: 1024 },
          },
        ],
        Errors: [],
      },
    });
    expect(JSON.parse(renderUsageJson({}))).toEqual({
      Access: 'not_requested',
      Storage: 'not_requested',
    });
  });

  it('XML in Riak CS shape', () => {
    expect(renderUsageXml({ access, storage })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Usage><Access><Nodes>' +
        '<Node name="riak-cs@127.0.0.1">' +
        '<Sample StartTime="20120113T194510Z" EndTime="20120113T194520Z">' +
        '<Operation type="GetObject"><Count>1</Count><BytesIn>0</BytesIn>' +
        '<BytesOut>22</BytesOut></Operation>' +
        '<Operation type="PutObject"><Count>2</Count><BytesIn>44</BytesIn>' +
        '<BytesOut>0</BytesOut></Operation></Sample></Node></Nodes><Errors/></Access>' +
        '<Storage><Samples><Sample StartTime="20120113T194510Z" EndTime="20120113T194520Z">' +
        '<Bucket name="photos"><Objects>3</Objects><Bytes>1024</Bytes></Bucket></Sample>' +
        '</Samples><Errors/></Storage></Usage>',
    );
    expect(renderUsageXml({})).toContain('<Access>not_requested</Access>');
  });

  it('errors in Riak CS shape, escaped', () => {
    expect(JSON.parse(renderUsageError('Unknown user', 'json'))).toEqual({
      Error: { Message: 'Unknown user' },
    });
    expect(renderUsageError('a<b & "c"', 'xml')).toContain(
      '<Error><Message>a&lt;b &amp; &quot;c&quot;</Message></Error>',
    );
  });

  it('counts errors apart from traffic served, as Riak CS did', () => {
    expect(accessFields(200, 10, 0, true)).toEqual({ Count: 1, BytesIn: 10 });
    expect(accessFields(404, 0, 120, true)).toEqual({ UserErrorCount: 1, UserErrorBytesOut: 120 });
    expect(accessFields(503, 0, 0, true)).toEqual({ SystemErrorCount: 1 });
    expect(accessFields(200, 0, 50, false)).toEqual({ Count: 1, BytesOutIncomplete: 50 });
  });

  it('merging operation tables is commutative and keeps totals (property)', () => {
    const table = fc.dictionary(
      fc.constantFrom('GetObject', 'PutObject', 'ListBuckets'),
      fc.dictionary(fc.constantFrom('Count', 'BytesIn', 'BytesOut'), fc.nat({ max: 1e6 })),
    );
    fc.assert(
      fc.property(table, table, (a, b) => {
        expect(mergeOperationStats(a, b)).toEqual(mergeOperationStats(b, a));
        const total = (t: typeof a) =>
          Object.values(t).reduce((n, s) => n + Object.values(s).reduce((x, y) => x + y, 0), 0);
        expect(total(mergeOperationStats(a, b))).toBe(total(a) + total(b));
      }),
    );
  });
});
