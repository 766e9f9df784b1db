/**
 * A GET by plain `http.get` that reports exactly what the server sent: the status, the
 * Content-Length it promised, the bytes that came and their sha256, and how the response
 * ended (a complete end, a cut connection, or a stall: bytes short of the length and no end,
 * the mark of a server that ended a response without sending all it promised).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';

/** What one GET saw. */
export interface ObservedGet {
  status: number;
  /** Content-Length as sent, or undefined. */
  promisedBytes: number | undefined;
  receivedBytes: number;
  sha256: string;
  ending: 'complete' | 'cut' | 'stalled' | 'no-response';
  detail?: string;
}

/**
 * GETs `url` (on a new connection, or on `agent`'s pool), destroying the request once no
 * byte came for `stallMs`.
 */
export function observedGet(
  url: string,
  stallMs: number,
  agent: http.Agent | false = false,
): Promise<ObservedGet> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    const seen: ObservedGet = {
      status: 0,
      promisedBytes: undefined,
      receivedBytes: 0,
      sha256: '',
      ending: 'no-response',
    };
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (ending: ObservedGet['ending'], detail?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...seen, sha256: hash.digest('hex'), ending, ...(detail ? { detail } : {}) });
    };
    const request = http.get(url, { agent }, (response) => {
      seen.status = response.statusCode ?? 0;
      const length = response.headers['content-length'];
      seen.promisedBytes = length === undefined ? undefined : Number(length);
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        seen.receivedBytes += chunk.length;
        arm();
      });
      response.on('end', () => finish('complete'));
      response.on('error', (error) => finish(stalled ? 'stalled' : 'cut', error.message));
      response.on('close', () => finish(stalled ? 'stalled' : 'cut', 'closed'));
    });
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ((stalled = true), request.destroy()), stallMs);
    };
    request.on('error', (error) => {
      if (seen.status === 0) finish('no-response', error.message);
    });
    arm();
  });
}
