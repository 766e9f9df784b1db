/**
 * One fuzz request over its own raw socket, and what came back. The fuzz test counts a
 * request with no complete HTTP answer as a failure: a hang (nothing by the deadline), a
 * connection closed or reset before an answer, or an answer cut off mid-way. A connection
 * the server closes after a complete answer is fine. Whether an answer is complete is
 * decided by HTTP/1.1's own framing (RFC 9112 §6.3), in `finalAnswer`, which is pure.
 */
import { connect } from 'node:net';
import type { FuzzCase } from './fuzz-cases.js';

/** What one request got. */
export type Outcome =
  /**
   * A complete final answer (interim 1xx answers skipped); `xml`: its body (UTF-8) when it
   * is an XML document framed by Content-Length, as every XML answer of Cairn's is.
   */
  | { status: number; head: string; xml?: string }
  /** A `cut` case: dropped on purpose after sending, its answer not awaited. */
  | { status: 'cut'; head: string }
  /** No complete answer: `why` says what happened instead. */
  | { status: 'no-answer'; why: string; head: string };

/** Sends `fuzz` to 127.0.0.1:`port` on a new connection; settles by `timeoutMs` at most. */
export function exchange(port: number, fuzz: FuzzCase, timeoutMs: number): Promise<Outcome> {
  const method = fuzz.bytes.subarray(0, fuzz.bytes.indexOf(0x20)).toString('latin1');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const head = () => received.slice(0, 400);
    const timer = setTimeout(() => {
      const why = `no complete answer within ${timeoutMs} ms (${received.length} bytes came)`;
      finish({ status: 'no-answer', why, head: head() });
    }, timeoutMs);
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      const answer = finalAnswer(received, method, false);
      if (answer !== undefined) finish({ ...answer, head: head() });
    });
    const closed = (cause: string) => {
      const answer = finalAnswer(received, method, true);
      if (answer !== undefined) return finish({ ...answer, head: head() });
      const got = received.length === 0 ? 'no answer' : `${received.length} bytes of an answer`;
      finish({ status: 'no-answer', why: `${cause} after ${got}`, head: head() });
    };
    socket.on('end', () => closed('closed'));
    socket.on('close', () => closed('closed'));
    // A server that answers early (431, 403) and closes can make our write fail: the answer
    // it sent first still counts, and is judged on 'close'.
    socket.on('error', (error: NodeJS.ErrnoException) => closed(error.code ?? 'socket error'));
    socket.write(fuzz.bytes, () => {
      if (fuzz.cut) setTimeout(() => finish({ status: 'cut', head: head() }), 20);
    });
  });
}

/**
 * The status of the first final answer in `received` (bytes as latin1) once that answer is
 * complete, or undefined while it is not (or never can be: not HTTP). `method` is the
 * request's (a HEAD answer has no body); `closed`: the server closed the connection, which
 * ends a body that has neither Content-Length nor chunked framing.
 */
export function finalAnswer(
  received: string,
  method: string,
  closed: boolean,
): { status: number; xml?: string } | undefined {
  let at = 0;
  for (;;) {
    const headEnd = received.indexOf('\r\n\r\n', at);
    if (headEnd < 0) return undefined;
    const lines = received.slice(at, headEnd).split('\r\n');
    const status = /^HTTP\/1\.[01] ([1-5]\d\d)(?: |$)/.exec(lines[0]!)?.[1];
    if (status === undefined) return undefined;
    at = headEnd + 4;
    if (status.startsWith('1')) continue;
    const body = bodyFraming(lines.slice(1), method, Number(status));
    if (!bodyComplete(received.slice(at), body, closed)) return undefined;
    const isXml = lines.some((line) => /^content-type:\s*application\/xml/i.test(line));
    if (!isXml || body.kind !== 'length') return { status: Number(status) };
    const bytes = received.slice(at, at + body.bytes);
    return { status: Number(status), xml: Buffer.from(bytes, 'latin1').toString('utf8') };
  }
}

type Framing = { kind: 'none' } | { kind: 'length'; bytes: number } | { kind: 'chunked' | 'close' };

/** How the answer's body ends (RFC 9112 §6.3), from its header lines. */
function bodyFraming(lines: string[], method: string, status: number): Framing {
  if (method === 'HEAD' || status === 204 || status === 304) return { kind: 'none' };
  const header = (name: string) =>
    lines
      .filter((line) => line.slice(0, line.indexOf(':')).trim().toLowerCase() === name)
      .map((line) => line.slice(line.indexOf(':') + 1).trim());
  const encoding = header('transfer-encoding').join(',').toLowerCase();
  if (encoding.split(',').at(-1)?.trim() === 'chunked') return { kind: 'chunked' };
  const length = header('content-length')[0];
  if (length !== undefined && /^\d{1,15}$/.test(length)) {
    return { kind: 'length', bytes: Number(length) };
  }
  return { kind: 'close' };
}

function bodyComplete(body: string, framing: Framing, closed: boolean): boolean {
  switch (framing.kind) {
    case 'none':
      return true;
    case 'length':
      return body.length >= framing.bytes;
    case 'close':
      return closed;
    case 'chunked':
      return chunkedComplete(body);
  }
}

/** Whether `body` holds every chunk through the last (size 0) one and the trailer's end. */
function chunkedComplete(body: string): boolean {
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) return false;
    const sizeText = body.slice(at, lineEnd).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return false;
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      const trailer = body.slice(lineEnd + 2);
      return trailer.startsWith('\r\n') || trailer.includes('\r\n\r\n');
    }
    at = lineEnd + 2 + size + 2;
    if (at > body.length) return false;
  }
}
