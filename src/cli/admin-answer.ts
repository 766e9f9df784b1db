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
  // A success, or an S3 error body, is an S3 endpoint's answer whatever its headers (a
  // proxy may drop them; Riak CS sends its own): only other refusals are looked into.
  if (!fromFrontEnd && !response.ok) {
    const text = (await response.clone().text()).slice(0, 64 * 1024);
    const said = kindOfAnswer(text);
    if (said !== 's3') {
      const found = said === 'other' ? await probeKind(address) : said;
      throw wrongKindError({ address, kind: 's3' }, found ?? 'other');
    }
  }
  if (response.status === 403) {
    const refused = keysRefusedError(address, target.keyId, 403, await response.clone().text());
    if (refused) throw refused;
  }
}
