/**
 * Content negotiation of the Riak CS admin API, as webmachine did it for riak_cs_wm_user:
 * a request body is JSON or XML by its Content-Type (anything else: 415), and an answer is
 * the provided type the Accept header ranks highest — with no Accept header, or `*\/*`,
 * the first one provided, which for Riak CS was XML. Pure.
 */

/** The two representations of the admin API. */
export type AdminFormat = 'xml' | 'json';

const MEDIA: Record<string, AdminFormat> = {
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/json': 'json',
};

/** The format of a request body by its Content-Type; undefined when it is neither. */
export function bodyFormat(contentType: string | undefined): AdminFormat | undefined {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return MEDIA[media];
}

/**
 * The answer's format: the first of `provided` with the highest quality in `accept`
 * (exact types beat `type/*`, which beats `*\/*`); undefined when none is acceptable.
 */
export function answerFormat(
  accept: string | undefined,
  provided: readonly AdminFormat[] = ['xml', 'json'],
): AdminFormat | undefined {
  if (accept === undefined || accept.trim() === '') return provided[0];
  const ranges = accept
    .split(',')
    .slice(0, 64)
    .map((range) => {
      const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q === undefined ? 1 : Number(q.slice(2)) };
    });
  let best: { format: AdminFormat; q: number } | undefined;
  for (const format of provided) {
    const q = qualityOf(format, ranges);
    if (q > 0 && (best === undefined || q > best.q)) best = { format, q };
  }
  return best?.format;
}

function qualityOf(format: AdminFormat, ranges: Array<{ type: string; q: number }>): number {
  const media = format === 'xml' ? ['application/xml', 'text/xml'] : ['application/json'];
  const exact = ranges.filter((r) => media.includes(r.type));
  if (exact.length > 0) return Math.max(...exact.map((r) => r.q));
  const family = ranges.filter((r) => media.some((m) => r.type === `${m.split('/')[0]}/*`));
  if (family.length > 0) return Math.max(...family.map((r) => r.q));
  const any = ranges.filter((r) => r.type === '*/*');
  return any.length > 0 ? Math.max(...any.map((r) => (Number.isFinite(r.q) ? r.q : 0))) : 0;
}
