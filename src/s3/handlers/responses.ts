/**
 * Small helpers every handler uses to answer: XML bodies with the right type, and empty
 * answers. Kept apart so handlers stay about S3, not about fastify.
 */
import type { RequestContext as S3Context } from '../../http/context.js';

/** Sends an XML document. */
export function sendXml(ctx: S3Context, status: number, xml: string): void {
  void ctx.reply.code(status).header('content-type', 'application/xml').send(xml);
}

/** Sends an empty answer. */
export function sendEmpty(ctx: S3Context, status: number, headers: Record<string, string> = {}) {
  void ctx.reply.code(status).headers(headers).send();
}
