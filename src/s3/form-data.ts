/**
 * A streaming multipart/form-data reader (RFC 7578) for browser POST uploads. It never holds
 * more than one incoming chunk plus a boundary's length of a part body, so a file part of any
 * size passes through in constant memory; only the small text fields before it are kept,
 * within stated limits. Pure: it reads an async iterable of bytes and nothing else.
 * Every malformation is MalformedPOSTRequest; too much text before the file is
 * MaxPostPreDataLengthExceededError, as in S3.
 */
import { S3Error } from '../http/errors.js';

/** The headers of one part. */
export interface FormPart {
  /** The field name, as sent. */
  name: string;
  filename?: string;
  contentType?: string;
}

/** What the reader yields, in order: a part's headers, then its body in chunks. */
export type FormEvent = { kind: 'part'; part: FormPart } | { kind: 'data'; chunk: Buffer };

/** Limits of {@link formEvents}. */
export interface FormLimits {
  /** Largest header block of one part, in bytes. */
  headerBytesMax: number;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

function malformed(detail: string): S3Error {
  return new S3Error('MalformedPOSTRequest', detail);
}

/** The boundary of a multipart/form-data Content-Type, or undefined if it is not one. */
export function formBoundaryOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const [type, ...params] = splitParams(contentType);
  if (type?.toLowerCase() !== 'multipart/form-data') return undefined;
  const boundary = params.find((p) => p.name === 'boundary')?.value;
  if (boundary === undefined || !/^[\x20-\x7e]{1,70}$/.test(boundary)) return undefined;
  return boundary;
}

interface Param {
  name: string;
  value: string;
}

/** `type; a=1; b="x;y"` → ['type', {a:1}, {b:'x;y'}] (quoted strings may hold `;`). */
function splitParams(text: string): [string | undefined, ...Param[]] {
  const first = text.split(';', 1)[0]?.trim();
  const params: Param[] = [];
  const pattern = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const match of text.slice(first?.length ?? 0).matchAll(pattern)) {
    const raw = match[2]!.trim();
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    params.push({ name: match[1]!.toLowerCase(), value });
  }
  return [first, ...params];
}

function parsePartHeaders(block: string): FormPart {
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('A part header line is not "Name: value".');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition');
  if (disposition === undefined) throw malformed('A part has no Content-Disposition.');
  const [type, ...params] = splitParams(disposition);
  const name = params.find((p) => p.name === 'name')?.value;
  if (type?.toLowerCase() !== 'form-data' || name === undefined) {
    throw malformed('A part is not form-data with a name.');
  }
  const part: FormPart = { name };
  const filename = params.find((p) => p.name === 'filename')?.value;
  if (filename !== undefined) part.filename = filename;
  const contentType = headers.get('content-type');
  if (contentType !== undefined) part.contentType = contentType;
  return part;
}

/** A byte window over the source: what is buffered, and a way to get more. */
class Window {
  bytes: Buffer;
  private readonly source: AsyncIterator<Buffer | Uint8Array | string>;
  ended = false;

  constructor(source: AsyncIterable<Buffer | Uint8Array | string>, initial: Buffer) {
    this.source = source[Symbol.asyncIterator]();
    this.bytes = initial;
  }

  /** Appends the next chunk; false once the source has ended. */
  async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    this.bytes = this.bytes.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.bytes, chunk]);
    return true;
  }

  /** Waits until `count` bytes are buffered; false if the source ends first. */
  async want(count: number): Promise<boolean> {
    while (this.bytes.length < count) if (!(await this.fill())) return false;
    return true;
  }

  consume(count: number): Buffer {
    const head = this.bytes.subarray(0, count);
    this.bytes = this.bytes.subarray(count);
    return head;
  }
}

/**
 * The parts of a multipart/form-data body with the given boundary, as a stream of events.
 * The preamble and epilogue are ignored; a body that ends before its closing boundary
 * throws, so a truncated upload is never taken for a complete one.
 */
export async function* formEvents(
  body: AsyncIterable<Buffer | Uint8Array | string>,
  boundary: string,
  limits: FormLimits,
): AsyncGenerator<FormEvent> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The first boundary has no CRLF before it; a virtual one lets one search find them all.
  const window = new Window(body, Buffer.from(CRLF));
  yield* skipTo(window, delimiter, false);
  for (;;) {
    if (!(await window.want(2))) throw malformed('The body ends after a boundary.');
    if (window.bytes[0] === 0x2d && window.bytes[1] === 0x2d) return; // '--': the last one
    await skipBoundaryLineEnd(window);
    const block = await readHeaderBlock(window, limits.headerBytesMax);
    yield { kind: 'part', part: parsePartHeaders(block) };
    yield* skipTo(window, delimiter, true);
  }
}

/** Consumes through the next delimiter, yielding what precedes it when `emit` is set. */
async function* skipTo(
  window: Window,
  delimiter: Buffer,
  emit: boolean,
): AsyncGenerator<FormEvent> {
  for (;;) {
    const at = window.bytes.indexOf(delimiter);
    if (at >= 0) {
      const data = window.consume(at);
      window.consume(delimiter.length);
      if (emit && data.length > 0) yield { kind: 'data', chunk: data };
      return;
    }
    // Keep what could be the start of a delimiter split across chunks.
    const safe = window.bytes.length - (delimiter.length - 1);
    if (safe > 0) {
      const data = window.consume(safe);
      if (emit) yield { kind: 'data', chunk: data };
    }
    if (!(await window.fill())) throw malformed('The body ends before its closing boundary.');
  }
}

/** After a boundary: optional transport padding (spaces, tabs), then CRLF. */
async function skipBoundaryLineEnd(window: Window): Promise<void> {
  for (let i = 0; ; i++) {
    if (i > 64) throw malformed('A boundary line is too long.');
    if (!(await window.want(i + 2))) throw malformed('The body ends after a boundary.');
    const byte = window.bytes[i];
    if (byte === 0x20 || byte === 0x09) continue;
    if (window.bytes.subarray(i, i + 2).equals(CRLF)) {
      window.consume(i + 2);
      return;
    }
    throw malformed('A boundary is followed by something other than CRLF.');
  }
}

async function readHeaderBlock(window: Window, headerBytesMax: number): Promise<string> {
  if (!(await window.want(2))) throw malformed('The body ends inside part headers.');
  if (window.bytes.subarray(0, 2).equals(CRLF)) {
    window.consume(2);
    return '';
  }
  for (;;) {
    const at = window.bytes.indexOf(HEADER_END);
    if (at >= 0) {
      if (at > headerBytesMax) throw malformed('The headers of a part are too large.');
      const block = window.consume(at).toString('utf8');
      window.consume(HEADER_END.length);
      return block;
    }
    if (window.bytes.length > headerBytesMax + HEADER_END.length) {
      throw malformed('The headers of a part are too large.');
    }
    if (!(await window.fill())) throw malformed('The body ends inside part headers.');
  }
}

/** A browser POST form: its text fields, and the file part still to be read. */
export interface PostForm {
  /** Text fields before the file part, names lower-cased (S3 reads them so). */
  fields: Map<string, string>;
  /** The file part, streaming; undefined when the form has none. */
  file?: { filename: string; contentType?: string; stream: AsyncIterable<Buffer> };
}

/** Limits of {@link readPostForm}. */
export interface PostFormLimits extends FormLimits {
  /** Bytes of field names and values before the file part. */
  fieldsBytesMax: number;
  /** Bytes of parts after the file part, which S3 ignores. */
  trailingBytesMax: number;
}

/**
 * Reads the text fields of a POST form up to its `file` part and returns them with that
 * part's body as a stream; the rest of the form is read (and ignored) once the file has
 * been, so that the whole body is consumed.
 */
export async function readPostForm(
  body: AsyncIterable<Buffer | Uint8Array | string>,
  boundary: string,
  limits: PostFormLimits,
): Promise<PostForm> {
  const events = formEvents(body, boundary, limits);
  const fields = new Map<string, string>();
  let bytes = 0;
  let current: { name: string; chunks: Buffer[] } | undefined;
  const count = (n: number) => {
    bytes += n;
    if (bytes > limits.fieldsBytesMax) {
      throw new S3Error('MaxPostPreDataLengthExceededError');
    }
  };
  const finish = () => {
    if (!current) return;
    if (fields.has(current.name)) {
      throw new S3Error('InvalidArgument', `The form field ${current.name} appears twice.`);
    }
    fields.set(current.name, Buffer.concat(current.chunks).toString('utf8'));
  };
  for (;;) {
    const next = await events.next();
    if (next.done) {
      finish();
      return { fields };
    }
    const event = next.value;
    if (event.kind === 'data') {
      count(event.chunk.length);
      current?.chunks.push(event.chunk);
      continue;
    }
    finish();
    const name = event.part.name.toLowerCase();
    count(name.length);
    if (name === 'file') {
      const { filename = '', contentType } = event.part;
      const stream = postFileStream(events, limits.trailingBytesMax);
      return { fields, file: { filename, ...(contentType ? { contentType } : {}), stream } };
    }
    current = { name, chunks: [] };
  }
}

async function* postFileStream(
  events: AsyncGenerator<FormEvent>,
  trailingBytesMax: number,
): AsyncGenerator<Buffer> {
  for (;;) {
    const next = await events.next();
    if (next.done) return;
    if (next.value.kind === 'part') break;
    yield next.value.chunk;
  }
  let trailing = 0;
  for (;;) {
    const next = await events.next();
    if (next.done) return;
    trailing += next.value.kind === 'data' ? next.value.chunk.length : 1;
    if (trailing > trailingBytesMax) throw malformed('Too much data after the file part.');
  }
}
