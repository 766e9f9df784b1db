/**
 * The byte form of a versioned item (its dotted-version-vector siblings), shared by the node
 * that stores it and the client that reads it back over the wire. It lives in the transport
 * layer so that ring/client.ts decodes replies without importing the storage node shell; it
 * must stay free of I/O and of anything in ring/node/.
 */
import type { Versioned } from '../core/dvv.js';
import { decodeMessage, encodeMessage } from './codec.js';

/** A versioned value: bytes, or null for a tombstone. */
export type VersionedValue = Versioned<Buffer | null>;

/** Encodes a versioned state for disk or the wire. */
export function encodeVersioned(state: VersionedValue): Buffer {
  return encodeMessage(state);
}

/** Decodes a stored or received versioned state; throws on a malformed one. */
export function decodeVersioned(data: Buffer): VersionedValue {
  const state = decodeMessage<VersionedValue>(data);
  if (!state || !Array.isArray(state.siblings)) throw new Error('malformed versioned state');
  return state;
}
