/**
 * The ServerSideEncryptionConfiguration of PutBucketEncryption, parsed: one Rule whose
 * ApplyServerSideEncryptionByDefault names AES256 (SSE-S3); aws:kms and aws:kms:dsse are
 * NotImplemented, anything else MalformedXML, as AWS answers a document it cannot read.
 */
import type { BucketEncryption } from '../objects/bucket-settings.js';
import { S3Error } from '../http/errors.js';
import { parseRequestXml } from '../http/xml.js';

type Node = Record<string, unknown>;

function nodeOf(value: unknown): Node {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new S3Error('MalformedXML');
  }
  return value as Node;
}

/** The bucket default encryption a document asks for; throws as AWS would. */
export function parseEncryptionXml(text: string): BucketEncryption {
  const config = nodeOf(parseRequestXml(text)['ServerSideEncryptionConfiguration']);
  const rule = nodeOf(config['Rule']);
  const apply = nodeOf(rule['ApplyServerSideEncryptionByDefault']);
  const algorithm = apply['SSEAlgorithm'];
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') {
    throw new S3Error('NotImplemented', 'SSE-KMS needs a key management service.', {
      fields: { Header: 'SSEAlgorithm' },
    });
  }
  if (algorithm !== 'AES256' || apply['KMSMasterKeyID'] !== undefined) {
    throw new S3Error('MalformedXML');
  }
  const bucketKey = rule['BucketKeyEnabled'];
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') {
    throw new S3Error('MalformedXML');
  }
  return { algorithm: 'AES256', ...(bucketKey === 'true' ? { bucketKeyEnabled: true } : {}) };
}
