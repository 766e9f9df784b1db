/**
 * Requests to a website endpoint (`--website-host-base`) of a test server: any Host header
 * over node:http (fetch may not set one), anonymous, with the answer read whole.
 */
import { request as httpRequest } from 'node:http';

/** A website answer as the test reads it. */
export interface WebsiteAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends `method path` to 127.0.0.1:`port` with Host `host`; never follows a redirect. */
export function websiteRequest(
  port: number,
  host: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<WebsiteAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host, ...options.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}
