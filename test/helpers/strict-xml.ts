/**
 * A strict XML 1.0 check for responses: well-formed (fast-xml-parser's validator), and no
 * character XML 1.0 forbids, raw or as a character reference (`&#x1;`, which S3 itself sends
 * and expat, botocore's parser, refuses). Throws with the reason; returns the parsed document.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const FORBIDDEN_RAW = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const CHAR_REF = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

function allowedCodePoint(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  if (code >= 0x20 && code <= 0xd7ff) return true;
  if (code >= 0xe000 && code <= 0xfffd) return true;
  return code >= 0x10000 && code <= 0x10ffff;
}

/** Parses `text` strictly as XML 1.0; throws when a strict parser would refuse it. */
export function parseStrictXml(text: string): Record<string, unknown> {
  const raw = FORBIDDEN_RAW.exec(text);
  if (raw) throw new Error(`forbidden character U+${raw[0].codePointAt(0)!.toString(16)}`);
  for (const match of text.matchAll(CHAR_REF)) {
    const ref = match[1]!;
    const code = ref.startsWith('x') ? parseInt(ref.slice(1), 16) : parseInt(ref, 10);
    if (!allowedCodePoint(code)) throw new Error(`reference to a forbidden character: ${match[0]}`);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  return new XMLParser({ ignoreAttributes: false }).parse(text) as Record<string, unknown>;
}
