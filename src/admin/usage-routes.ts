/**
 * The usage API. GET /riak-cs/usage/<key_id>/<options>/<start>/<end> answers Riak CS's
 * access and storage history (JSON or XML, its shapes); GET /riak-cs/storage[/<key_id>]
 * answers current storage from the counters, for `cairn-admin storage`. The admin may read
 * anyone's; a user only its own. A refusal changes nothing and is never a 500.
 */
import { readUserByKey } from '../../stanchion/reader.js';
import type { RequestContext } from '../http/context.js';
import { S3Error } from '../http/errors.js';
import { parseUsageQuery, UsageQueryError } from '../usage/core/usage-query.js';
import { renderUsageError, renderUsageJson, renderUsageXml } from '../usage/core/usage-render.js';
import type { UsageService } from '../usage/usage-service.js';

/** Samples a query may read, per kind: beyond it the query is "Too much time requested". */
const SAMPLES_MAX = 10_000;
const DAY_MS = 86_400_000;

/** The front end's usage service; NotImplemented where accounting is off. */
export function usageOf(ctx: RequestContext): UsageService {
  const usage = ctx.deps.usage;
  if (!usage) throw S3Error.notImplemented('Usage accounting on this front end');
  return usage;
}

/** The path after /riak-cs/usage/, decoded. */
function usagePath(ctx: RequestContext): string {
  const raw = (ctx.request.raw.url ?? '').split('?')[0] ?? '';
  const rest = raw.replace(/^\/riak-cs\/usage\/?/, '');
  try {
    return decodeURIComponent(rest);
  } catch {
    throw new S3Error('InvalidURI');
  }
}

function answerFormat(ctx: RequestContext, rest: string, asked?: 'json' | 'xml') {
  if (asked) return asked;
  const options = rest.split(/[/.]/)[1] ?? '';
  if (options.includes('x') && !options.includes('j')) return 'xml';
  const accept = String(ctx.request.headers.accept ?? '');
  return accept.includes('xml') && !accept.includes('json') ? 'xml' : 'json';
}

function send(ctx: RequestContext, status: number, format: 'json' | 'xml', body: string) {
  const type = format === 'json' ? 'application/json' : 'application/xml';
  void ctx.reply.code(status).header('content-type', type).send(body);
}

/** Refuses anyone but the admin and the user `keyId` itself. */
export function checkAllowed(ctx: RequestContext, keyId: string): void {
  if (!ctx.user) throw new S3Error('AccessDenied');
  if (!ctx.user.isAdmin && ctx.user.keyId !== keyId) throw new S3Error('AccessDenied');
}

/** GET /riak-cs/usage/<key_id>/<options>/<start>/<end> (and ?a&b&s=&e=). */
export async function usageRoute(ctx: RequestContext): Promise<void> {
  const usage = usageOf(ctx);
  const rest = usagePath(ctx);
  checkAllowed(ctx, rest.split(/[/.]/)[0] ?? '');
  let query;
  try {
    query = parseUsageQuery(rest, ctx.query, {
      nowMs: ctx.deps.clock(),
      defaultWindowMs: DAY_MS,
      rangeMaxMs: 366 * DAY_MS,
    });
  } catch (error) {
    if (!(error instanceof UsageQueryError)) throw error;
    const format = answerFormat(ctx, rest);
    return send(ctx, error.status, format, renderUsageError(error.message, format));
  }
  const format = answerFormat(ctx, rest, query.format);
  const user = await readUserByKey(ctx.deps.ring, query.keyId);
  if (!user) return send(ctx, 404, format, renderUsageError('Unknown user', format));
  const window = { startMs: query.startMs, endMs: query.endMs, itemsMax: SAMPLES_MAX };
  try {
    const report = {
      ...(query.access ? { access: await usage.access.samples(user.id, window) } : {}),
      ...(query.storage ? { storage: await usage.storage.samples(user.id, window) } : {}),
    };
    send(ctx, 200, format, format === 'json' ? renderUsageJson(report) : renderUsageXml(report));
  } catch (error) {
    if (!(error instanceof UsageQueryError)) throw error;
    send(ctx, error.status, format, renderUsageError(error.message, format));
  }
}
