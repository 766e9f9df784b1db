/**
 * The documents of S3 Object Ownership (OwnershipControls, x-amz-object-ownership) and
 * Block Public Access (PublicAccessBlockConfiguration, PolicyStatus), both ways. Pure.
 * Parsing is strict: an element S3 does not define, a value other than its enumeration or
 * true/false, or a second rule is MalformedXML, so nothing half-understood is stored.
 */
import {
  OBJECT_OWNERSHIPS,
  type ObjectOwnership,
  type PublicAccessBlock,
} from '../../../stanchion/core/bucket-controls.js';
import { S3Error } from '../../http/errors.js';
import { parseRequestXml, renderXml } from '../../http/xml.js';

type Node = Record<string, unknown>;

function malformed(detail: string): S3Error {
  return new S3Error('MalformedXML', detail);
}

function rootOf(text: string, name: string): Node {
  const root = parseRequestXml(text)[name];
  if (root === undefined) throw malformed(`Expected a ${name} element.`);
  if (root === '') return {};
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw malformed(`${name} must be an element.`);
  }
  return root as Node;
}

function onlyElements(node: Node, names: readonly string[], where: string): void {
  const extra = Object.keys(node).find((name) => !names.includes(name));
  if (extra !== undefined) throw malformed(`${where} has an unknown element: ${extra}`);
}

function isObjectOwnership(value: unknown): value is ObjectOwnership {
  return (OBJECT_OWNERSHIPS as readonly unknown[]).includes(value);
}

/** Parses an OwnershipControls body: exactly one Rule with one ObjectOwnership. */
export function parseOwnershipControlsXml(text: string): ObjectOwnership {
  const root = rootOf(text, 'OwnershipControls');
  onlyElements(root, ['Rule'], 'OwnershipControls');
  const rule = root['Rule'];
  if (rule === undefined || Array.isArray(rule)) {
    throw malformed('OwnershipControls takes exactly one Rule.');
  }
  if (typeof rule !== 'object' || rule === null) throw malformed('Rule must be an element.');
  onlyElements(rule as Node, ['ObjectOwnership'], 'Rule');
  const ownership = (rule as Node)['ObjectOwnership'];
  if (!isObjectOwnership(ownership)) {
    throw malformed(`Invalid ObjectOwnership: ${String(ownership ?? '(none)')}`);
  }
  return ownership;
}

/** Renders GetBucketOwnershipControls' answer. */
export function renderOwnershipControlsXml(ownership: ObjectOwnership): string {
  return renderXml('OwnershipControls', { Rule: { ObjectOwnership: ownership } });
}

/** The x-amz-object-ownership of a CreateBucket; InvalidArgument for any other value. */
export function parseObjectOwnershipHeader(value: string): ObjectOwnership {
  if (isObjectOwnership(value)) return value;
  throw new S3Error('InvalidArgument', `Invalid x-amz-object-ownership: ${value}`, {
    fields: { ArgumentName: 'x-amz-object-ownership', ArgumentValue: value },
  });
}

const BLOCK_ELEMENTS = {
  BlockPublicAcls: 'blockPublicAcls',
  IgnorePublicAcls: 'ignorePublicAcls',
  BlockPublicPolicy: 'blockPublicPolicy',
  RestrictPublicBuckets: 'restrictPublicBuckets',
} as const satisfies Record<string, keyof PublicAccessBlock>;

/** Parses a PublicAccessBlockConfiguration body; a missing element is false, as in S3. */
export function parsePublicAccessBlockXml(text: string): PublicAccessBlock {
  const root = rootOf(text, 'PublicAccessBlockConfiguration');
  onlyElements(root, Object.keys(BLOCK_ELEMENTS), 'PublicAccessBlockConfiguration');
  const config: PublicAccessBlock = {
    blockPublicAcls: false,
    ignorePublicAcls: false,
    blockPublicPolicy: false,
    restrictPublicBuckets: false,
  };
  for (const [element, field] of Object.entries(BLOCK_ELEMENTS)) {
    const value = root[element];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !/^(true|false)$/i.test(value)) {
      throw malformed(`${element} must be true or false.`);
    }
    config[field] = value.toLowerCase() === 'true';
  }
  return config;
}

/** Renders GetPublicAccessBlock's answer, every element present. */
export function renderPublicAccessBlockXml(config: PublicAccessBlock): string {
  const body: Record<string, string> = {};
  for (const [element, field] of Object.entries(BLOCK_ELEMENTS)) {
    body[element] = String(config[field]);
  }
  return renderXml('PublicAccessBlockConfiguration', body);
}

/** Renders GetBucketPolicyStatus' answer. */
export function renderPolicyStatusXml(isPublic: boolean): string {
  return renderXml('PolicyStatus', { IsPublic: String(isPublic) });
}
