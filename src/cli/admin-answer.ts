/**
 * Checks that what answered cairn-admin's signed request is a Cairn S3 front end that took
 * the admin keys: a storage node or stanchion at --url, or keys the store does not accept,
 * each become their own message instead of a refusal quoted raw.
 */
import { keysRefusedError, wrongKindError } from './endpoint-errors.js';
import { kindOfAnswer, probeKind, urlAddress } from './endpoint-probe.js';

/** Throws an EndpointError when `response` is not a front end's, or refuses the keys. */
export async function checkAdminAnswer(
  target: { url: string; keyId: string },
  response: Response,
): Promise<void> {
  const fromFrontEnd =
    response.headers.get('x-amz-request-id') !== null || response.headers.get('server') === 'Cairn';
  const address = urlAddress(target.url);
  if (!fromFrontEnd) {
    const text = (await response.clone().text()).slice(0, 64 * 1024);
    const found = kindOfAnswer(text) === 'other' ? await probeKind(address) : kindOfAnswer(text);
    throw wrongKindError({ address, kind: 's3' }, found ?? 'other');
  }
  if (response.status === 403) {
    const refused = keysRefusedError(address, target.keyId, 403, await response.clone().text());
    if (refused) throw refused;
  }
}
