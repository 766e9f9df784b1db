// The CRC of two concatenated byte strings from the CRC of each and the second one's length,
// without the bytes: how a multipart upload's FULL_OBJECT checksum (CRC32, CRC32C, CRC64NVME)
// comes from its parts' checksums, so Complete reads no data. This is zlib's crc32_combine
// (multiplication by x^(8·len) modulo the polynomial, in the reflected bit order), written
// once over BigInt for both widths; it holds for every CRC here because each starts from and
// ends XORed with all ones. Pure, and slow only in the way that does not matter: about
// 64 × 64 bit steps per part.

/** A reflected CRC: its width in bits and its reversed polynomial. */
interface CrcSpec {
  width: number;
  polynomial: bigint;
  /** x^(2^k) mod P for k = 0..63, so x^n for any safe-integer n takes one product a bit. */
  powers: bigint[];
}

/** The CRCs whose checksums combine. */
export type CombinableCrc = 'CRC32' | 'CRC32C' | 'CRC64NVME';

function spec(width: number, polynomial: bigint): CrcSpec {
  const result: CrcSpec = { width, polynomial, powers: [] };
  let power = 1n << BigInt(width - 2); // x^1, the reflected bit order's second-highest bit
  for (let k = 0; k < 64; k++) {
    result.powers.push(power);
    power = multiplyModP(result, power, power);
  }
  return result;
}

/** a·b modulo P, both reflected polynomials of the spec's width. */
function multiplyModP(crc: CrcSpec, a: bigint, b: bigint): bigint {
  let m = 1n << BigInt(crc.width - 1);
  let product = 0n;
  while (a !== 0n) {
    if (a & m) {
      product ^= b;
      a ^= m;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ crc.polynomial : b >> 1n;
  }
  return product;
}

/** x^(n·2^k) modulo P. */
function xPowerModP(crc: CrcSpec, n: number, k: number): bigint {
  let result = 1n << BigInt(crc.width - 1); // x^0
  let rest = BigInt(n);
  for (let i = k; rest > 0n; i++, rest >>= 1n) {
    if (rest & 1n) result = multiplyModP(crc, crc.powers[i]!, result);
  }
  return result;
}

const SPECS: Record<CombinableCrc, CrcSpec> = {
  CRC32: spec(32, 0xedb88320n),
  CRC32C: spec(32, 0x82f63b78n),
  CRC64NVME: spec(64, 0x9a6c9329ac4bc9b5n),
};

/** Whether `algorithm` is a CRC whose checksums combine. */
export function isCombinableCrc(algorithm: string): algorithm is CombinableCrc {
  return Object.hasOwn(SPECS, algorithm);
}

/**
 * The CRC of the concatenation of `parts`, from each part's CRC (big-endian bytes, as S3's
 * checksums carry them) and length in bytes.
 */
export function combineCrcs(
  algorithm: CombinableCrc,
  parts: ReadonlyArray<{ crc: Buffer; size: number }>,
): Buffer {
  const crc = SPECS[algorithm];
  const bytes = crc.width / 8;
  let combined = 0n; // the CRC of no bytes
  for (const part of parts) {
    if (part.crc.length !== bytes) throw new Error(`a ${algorithm} is ${bytes} bytes`);
    const shifted = multiplyModP(crc, xPowerModP(crc, part.size, 3), combined);
    combined = shifted ^ BigInt(`0x${part.crc.toString('hex')}`);
  }
  return Buffer.from(combined.toString(16).padStart(bytes * 2, '0'), 'hex');
}
