// Table-driven CRC32, CRC32C and CRC64/NVME, the three CRCs S3's flexible checksums use. They
// are computed here rather than through a dependency because the body verifiers need them
// incrementally over streamed chunks, and each is a dozen lines. The lookup tables are built
// once at load and never written again; every running CRC is its own object.

function reflectedTable32(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    table[n] = crc >>> 0;
  }
  return table;
}

const CRC32_TABLE = reflectedTable32(0xedb88320);
const CRC32C_TABLE = reflectedTable32(0x82f63b78);

/** A running reflected 32-bit CRC (init and final XOR all ones). */
export class Crc32 {
  private crc = 0xffffffff;

  /** @param castagnoli - true for CRC32C (iSCSI polynomial), false for CRC32 (IEEE). */
  constructor(private readonly castagnoli: boolean) {}

  /** Feeds bytes. */
  update(bytes: Uint8Array): void {
    const table = this.castagnoli ? CRC32C_TABLE : CRC32_TABLE;
    let crc = this.crc;
    for (let i = 0; i < bytes.length; i++) {
      crc = (table[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    }
    this.crc = crc;
  }

  /** The CRC so far, as 4 big-endian bytes. */
  digest(): Buffer {
    const out = Buffer.alloc(4);
    out.writeUInt32BE((this.crc ^ 0xffffffff) >>> 0);
    return out;
  }
}

// CRC64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, kept as two 32-bit halves so the inner
// loop stays in small integers.
const CRC64_TABLE_HIGH = new Uint32Array(256);
const CRC64_TABLE_LOW = new Uint32Array(256);
{
  const polynomial = 0x9a6c9329ac4bc9b5n;
  for (let n = 0; n < 256; n++) {
    let crc = BigInt(n);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ polynomial : crc >> 1n;
    CRC64_TABLE_HIGH[n] = Number(crc >> 32n);
    CRC64_TABLE_LOW[n] = Number(crc & 0xffffffffn);
  }
}

/** A running CRC64/NVME (init and final XOR all ones). */
export class Crc64Nvme {
  private high = 0xffffffff;
  private low = 0xffffffff;

  /** Feeds bytes. */
  update(bytes: Uint8Array): void {
    let high = this.high;
    let low = this.low;
    for (let i = 0; i < bytes.length; i++) {
      const index = (low ^ (bytes[i] as number)) & 0xff;
      low = (((low >>> 8) | (high << 24)) ^ (CRC64_TABLE_LOW[index] as number)) >>> 0;
      high = ((high >>> 8) ^ (CRC64_TABLE_HIGH[index] as number)) >>> 0;
    }
    this.high = high;
    this.low = low;
  }

  /** The CRC so far, as 8 big-endian bytes. */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE((this.high ^ 0xffffffff) >>> 0, 0);
    out.writeUInt32BE((this.low ^ 0xffffffff) >>> 0, 4);
    return out;
  }
}
