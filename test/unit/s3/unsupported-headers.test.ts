/**
 * The table of unsupported request headers: which operation refuses which header with
 * which error, which values pass, hoisted query parameters, and (as properties) that every
 * SSE-KMS header is refused by every write (a lock header by those that do not act on it)
 * and that headers outside the table are never refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkedOperationOf,
  refuseUnsupportedHeaders,
  refuseUnsupportedRequest,
  type CheckedOperation,
} from '../../../src/s3/unsupported-headers.js';

/** The error code (and Header field) a check ends with, or 'ok'. */
function outcome(operation: CheckedOperation, name: string, value = 'x'): string {
  try {
    refuseUnsupportedHeaders(operation, [[name, value]]);
    return 'ok';
  } catch (error) {
    const { code, fields } = error as { code: string; fields: Record<string, string> };
    return fields['Header'] ? `${code} ${fields['Header']}` : code;
  }
}

const WRITES: CheckedOperation[] = [
  'PutObject',
  'CopyObject',
  'PostObject',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
];

describe('unsupported headers: the table', () => {
  it.each([
    // SSE-S3 and SSE-C are served on PutObject (sse-request.ts checks them); KMS is not.
    ['PutObject', 'x-amz-server-side-encryption', 'aws:kms', 'NotImplemented'],
    ['PutObject', 'x-amz-server-side-encryption', 'aws:kms:dsse', 'NotImplemented'],
    ['PutObject', 'x-amz-server-side-encryption', 'AES256', 'ok'],
    ['PutObject', 'X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id', 'k', 'NotImplemented'],
    ['PutObject', 'x-amz-server-side-encryption-customer-key', 'k', 'ok'],
    // Object lock is acted on by PutObject, CopyObject, PostObject and CreateMultipartUpload.
    ['PutObject', 'x-amz-object-lock-mode', 'GOVERNANCE', 'ok'],
    ['PutObject', 'x-amz-object-lock-legal-hold', 'ON', 'ok'],
    ['CopyObject', 'x-amz-object-lock-mode', 'GOVERNANCE', 'ok'],
    ['CreateMultipartUpload', 'x-amz-object-lock-legal-hold', 'ON', 'ok'],
    ['PostObject', 'x-amz-object-lock-mode', 'GOVERNANCE', 'ok'],
    ['PostObject', 'x-amz-bypass-governance-retention', 'true', 'NotImplemented'],
    ['UploadPart', 'x-amz-object-lock-legal-hold', 'ON', 'NotImplemented'],
    ['PutObject', 'x-amz-bypass-governance-retention', 'true', 'NotImplemented'],
    // Stored by PutObject, CopyObject and CreateMultipartUpload; a browser POST refuses it.
    ['PutObject', 'x-amz-website-redirect-location', '/x', 'ok'],
    ['PostObject', 'x-amz-website-redirect-location', '/x', 'NotImplemented'],
    ['PutObject', 'x-amz-write-offset-bytes', '0', 'NotImplemented'],
    ['PutObject', 'x-amz-checksum-sha512', 'x', 'NotImplemented'],
    // PutObject, CopyObject and CreateMultipartUpload keep classes (storage-class.ts); a
    // browser POST does not, so it refuses all but STANDARD.
    ['PostObject', 'x-amz-storage-class', 'STANDARD', 'ok'],
    ['PostObject', 'x-amz-storage-class', 'STANDARD_IA', 'NotImplemented'],
    ['PutObject', 'x-amz-checksum-crc32', 'x', 'ok'],
    ['PutObject', 'x-amz-tagging', 'a=b', 'ok'],
    ['CopyObject', 'x-amz-copy-source-server-side-encryption-customer-key', 'k', 'ok'],
    ['CopyObject', 'x-amz-server-side-encryption', 'aws:kms', 'NotImplemented'],
    ['PutObject', 'x-amz-copy-source-server-side-encryption-customer-key', 'k', 'NotImplemented'],
    ['UploadPart', 'x-amz-server-side-encryption-customer-algorithm', 'AES256', 'ok'],
    // A part's (and a completion's) encryption is the upload's: AWS's InvalidArgument.
    ['UploadPart', 'x-amz-server-side-encryption', 'aws:kms', 'InvalidArgument'],
    ['UploadPart', 'x-amz-server-side-encryption', 'AES256', 'InvalidArgument'],
    ['UploadPartCopy', 'x-amz-server-side-encryption', 'AES256', 'InvalidArgument'],
    ['CompleteMultipartUpload', 'x-amz-server-side-encryption', 'AES256', 'InvalidArgument'],
    ['UploadPart', 'x-amz-server-side-encryption-aws-kms-key-id', 'k', 'NotImplemented'],
    ['UploadPartCopy', 'x-amz-copy-source-server-side-encryption-customer-key', 'k', 'ok'],
    ['CreateMultipartUpload', 'x-amz-server-side-encryption', 'AES256', 'ok'],
    ['CreateMultipartUpload', 'x-amz-server-side-encryption', 'aws:kms', 'NotImplemented'],
    ['GetObject', 'x-amz-server-side-encryption-customer-key-md5', 'k', 'ok'],
    ['ListParts', 'x-amz-server-side-encryption-customer-key', 'k', 'ok'],
    ['HeadObject', 'x-amz-server-side-encryption-customer-algorithm', 'AES256', 'ok'],
    ['GetObject', 'x-amz-checksum-mode', 'ENABLED', 'ok'],
    ['CompleteMultipartUpload', 'if-none-match', '*', 'ok'],
    ['CompleteMultipartUpload', 'x-amz-mp-object-size', '5', 'NotImplemented'],
    ['AbortMultipartUpload', 'x-amz-if-match-initiated-time', 'x', 'NotImplemented'],
    ['DeleteObject', 'x-amz-bypass-governance-retention', 'true', 'ok'],
    ['DeleteObject', 'x-amz-mfa', '123 456', 'ok'],
    ['DeleteObject', 'if-match', '"abc"', 'ok'],
    ['DeleteObject', 'x-amz-if-match-size', '5', 'NotImplemented'],
    ['CreateBucket', 'x-amz-bucket-object-lock-enabled', 'true', 'ok'],
    ['CreateBucket', 'x-amz-bucket-object-lock-enabled', 'True', 'ok'],
    ['CreateBucket', 'x-amz-bucket-object-lock-enabled', 'yes', 'InvalidArgument'],
    ['CreateBucket', 'x-amz-bucket-object-lock-enabled', 'false', 'ok'],
    ['CreateBucket', 'x-amz-object-ownership', 'BucketOwnerEnforced', 'ok'],
    ['CreateBucket', 'x-amz-object-ownership', 'ObjectWriter', 'ok'],
    ['CreateBucket', 'x-amz-bucket-namespace', 'account-regional', 'NotImplemented'],
  ] as const)('%s with %s: %s → %s', (operation, name, value, code) => {
    expect(outcome(operation, name, value).split(' ')[0]).toBe(code);
  });

  it('names the refused header in the error, as S3 does', () => {
    expect(outcome('UploadPart', 'X-Amz-Object-Lock-Mode', 'COMPLIANCE')).toBe(
      'NotImplemented x-amz-object-lock-mode',
    );
  });

  it('maps a PUT with x-amz-copy-source to CopyObject or UploadPartCopy', () => {
    expect(checkedOperationOf('PutObject', true)).toBe('CopyObject');
    expect(checkedOperationOf('PutObject', false)).toBe('PutObject');
    expect(checkedOperationOf('UploadPart', true)).toBe('UploadPartCopy');
    expect(checkedOperationOf('ListObjects', false)).toBeUndefined();
  });

  it('counts x-amz-* query parameters (hoisted by presigners) as headers', () => {
    const query = new URLSearchParams('x-amz-server-side-encryption=aws:kms');
    expect(() => refuseUnsupportedRequest('PutObject', {}, query)).toThrow(
      expect.objectContaining({ code: 'NotImplemented' }),
    );
    const plain = new URLSearchParams('X-Amz-Signature=abc&partNumber=1');
    expect(() => refuseUnsupportedRequest('PutObject', {}, plain)).not.toThrow();
  });
});

describe('unsupported headers: properties', () => {
  it('every write refuses SSE-KMS, whatever the value or the KMS header', () => {
    // A part upload refuses the x-amz-server-side-encryption header itself, any value.
    const partWrite = (op: CheckedOperation, name: string) =>
      (op === 'UploadPart' || op === 'UploadPartCopy') &&
      name.toLowerCase() === 'x-amz-server-side-encryption';
    const kms = fc.oneof(
      fc.tuple(
        fc.constant('X-Amz-Server-Side-Encryption'),
        fc.constantFrom('aws:kms', 'aws:kms:dsse'),
      ),
      fc.tuple(
        fc.constantFrom(
          'x-amz-server-side-encryption-aws-kms-key-id',
          'x-amz-server-side-encryption-context',
        ),
        fc.stringMatching(/^[a-z0-9-]{0,12}$/),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...WRITES), kms, (op, [name, value]) =>
        outcome(op, name, value).startsWith(
          partWrite(op, name) ? 'InvalidArgument' : 'NotImplemented',
        ),
      ),
    );
  });

  it('the writes that do not act on object lock refuse its headers, whatever the suffix', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CheckedOperation>('UploadPart', 'UploadPartCopy'),
        fc.stringMatching(/^[a-z-]{0,12}$/),
        (op, s) => outcome(op, 'X-Amz-Object-Lock-' + s).startsWith('NotImplemented'),
      ),
    );
  });

  it('never refuses a header outside the table', () => {
    const name = fc
      .stringMatching(/^[a-z][a-z0-9-]{0,20}$/)
      .filter((n) => !n.startsWith('x-amz-') && n !== 'if-match' && n !== 'if-none-match');
    const ops = fc.constantFrom<CheckedOperation>(...WRITES, 'GetObject', 'CreateBucket');
    fc.assert(fc.property(ops, name, fc.string(), (op, n, v) => outcome(op, n, v) === 'ok'));
  });
});
