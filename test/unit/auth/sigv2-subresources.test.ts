// SigV2 sub-resources, every one S3 signs, both ways they are sent: bare (`?uploads`) and with
// an empty value (`?uploads=`, as minio-go sends them), each signed as the bare name, as S3,
// RGW and MinIO sign it. The reference signatures were computed with Debian's python3-boto
// 2.49 (boto.auth.HmacAuthV1Handler) for the names boto 2 knows, and with botocore 1.29's
// HmacV1Auth for the ones it does not (accelerate, analytics, inventory, metrics,
// notification, object-lock, replication, select, select-type): GET, the S3 docs'
// credentials, Date "Wed, 01 Jan 2025 00:00:00 GMT", on /bkt/?NAME, /bkt/k%20ey?NAME and
// /bkt/k?NAME=v%2F1.

import { describe, expect, it } from 'vitest';

import { authenticate } from '../../../src/auth/index.js';
import {
  SIGV2_SUBRESOURCES,
  canonicalResourceV2,
  stringToSignV2,
} from '../../../src/auth/sigv2.js';
import { S3_DOC_CREDENTIALS, at, lookupOf } from './fixtures.js';

const DATE = 'Wed, 01 Jan 2025 00:00:00 GMT';
const NOW = at('2025-01-01T00:00:00Z');
const LOOKUP = lookupOf(S3_DOC_CREDENTIALS);

/** name, reference signer, signature of /bkt/?NAME, of /bkt/k%20ey?NAME, of /bkt/k?NAME=v%2F1. */
const REFERENCE: ReadonlyArray<readonly [string, 'boto2' | 'botocore', string, string, string]> = [
  [
    'accelerate',
    'botocore',
    'VvmkRtH5jkIVoqYavI0vszAVdY4=',
    'OK6umVUeipMPJUcBq17XysDH5SQ=',
    '81DeP+fjQC/YMAjmlqibVBj45xU=',
  ],
  [
    'acl',
    'boto2',
    'Jg57+lcLYBfsNtbQObiBTAqC9Rs=',
    'fUDbawE0LV1ovfa4Qor0Abe1Zh0=',
    'oJxk5U6CSLvgCnRTCzTZTSRA0Pw=',
  ],
  [
    'analytics',
    'botocore',
    'Z1Rm4euuthGNcsdjDHY4sXDz6ds=',
    'BHWA2shk2plkJ4InzVzKfkY59pw=',
    'MuoXEebuccPhADK/qacisym2Rzk=',
  ],
  [
    'cors',
    'boto2',
    'sJw9ElIjVtKIyye2W7PXeY+G1Fo=',
    'rwm5X/79vfip7XqAjmcBJQ5e50I=',
    'd+25PExgCdMK2EA2OPYzwKKco+I=',
  ],
  [
    'defaultObjectAcl',
    'boto2',
    'QBGlpEcpF7YAZ+9jSXsB33koZS0=',
    '1Zpl220oZUFLyG65Nrko3Yji0A4=',
    'IHfrF6Fj4BlcfFwlyX5Dn2s9s0g=',
  ],
  [
    'delete',
    'boto2',
    'qTTZ6H/qq3H2mMHbgEjgjqmQoV0=',
    'q/ekugACfI6dYTIE7shQPtS5JNk=',
    'oD3SRLjEop7dPsI/NG3h2wIquUo=',
  ],
  [
    'inventory',
    'botocore',
    'hb0Zp32ah1bkU8uzRHt/Pwe8/VQ=',
    'oigof11joPJMmY9PnbFJp5yeN38=',
    'LK85iiIr9l6cVzj6lfvm8z11y+M=',
  ],
  [
    'lifecycle',
    'boto2',
    'GMlNQWKWBboGifOX1uevBCsjVEk=',
    'dATtue8AEVvyBuouj1mqX/JwWoU=',
    'eOcHiasTNN6tBep/ESzjEIJs8IQ=',
  ],
  [
    'location',
    'boto2',
    '6pfgm1oZUyJYWdNg17qwmNjbYZ4=',
    'EAyCNiYQwwT0xL7SiAywnDqQxqM=',
    '4d53xVAskdjwwljUV/n+TMwbdvw=',
  ],
  [
    'logging',
    'boto2',
    'MlCVPv6DaM6HhwvqjY3V2mhkYnY=',
    'Hu0o4M8F0Ff3cPkh9KQd11r4tTQ=',
    'oA5o2lBiRd51wi1hE12PIc0wllk=',
  ],
  [
    'metrics',
    'botocore',
    'KJITM9MlRwytJN08SUUTZYgbmT0=',
    'vlPut99GvCJi46p8moUJeYgXkLk=',
    '6a1/NUITTDe0vBjuQmcVIUFXlGk=',
  ],
  [
    'notification',
    'botocore',
    '9imiwQ0o3uIywfrlUg7L3SOaH68=',
    'VmEa9I9RXfKF7lx3jJglRFrUaik=',
    '2UbBfAGAkucqHFPvsiQSdYbVO4Q=',
  ],
  [
    'object-lock',
    'botocore',
    '/M6X6mTwUSUzdHewzLtxMHZMgqg=',
    'SE+i07d0wfZ5IKtptgP3xXska4w=',
    'SV/zwrINIzLOIjD0eQlqNzRggpk=',
  ],
  [
    'partNumber',
    'boto2',
    'CjuABoENU722DssqZn69UHv1c98=',
    '2WlXgYJtGyGvjIwQo0P+OzbGRpQ=',
    'mJtDKFyAUJqzJBXca9wx0Gojcu0=',
  ],
  [
    'policy',
    'boto2',
    'WSlQtmsrfIb3jFV3SkA25al6Hm0=',
    '1ZzRQuWC5pW3Y2wrOAmdlQplNXs=',
    'F/RJ2kvdXSGDIt6ePchgaLmUYio=',
  ],
  [
    'replication',
    'botocore',
    'XNTbagwjroxCMtxxCXMvU+XIabY=',
    'h3qYY6uFDUOkxUfmDIjXPqnblCQ=',
    'K3aOOJNhkT0oFm2ij/CQvyJ8NW0=',
  ],
  [
    'requestPayment',
    'boto2',
    'N+TsH7zS5IaFJvbEaVmYNSEiKE4=',
    'iWNFYX6klEYEIWv8Zf8DmMb11lo=',
    '/lIs0JDw+jK0Pif9ceskPb3jAnY=',
  ],
  [
    'response-cache-control',
    'boto2',
    '36Ie8GLpDVl6NcklpLmSlQWhzhA=',
    'y8ep9yiAcs+DkGmhJkdv/htgrIM=',
    'lkdNT67WmguUlxNk50TmRvq3F8M=',
  ],
  [
    'response-content-disposition',
    'boto2',
    'L0Eoqa4wxSFB6DVS2+82p5jXgWc=',
    'kg2wyrHN+OnAD2z4VWXQc7ponjo=',
    'X58NnLCWbqvThpaJxhelnKUwczE=',
  ],
  [
    'response-content-encoding',
    'boto2',
    'sIGWVtXFGnpLmkWQJzf2JnQ3f1o=',
    '3jPywingTxJ4aekmig/8l1L1fqo=',
    '3E5KfOdmTTv3pGk9lRSzy+nzW4s=',
  ],
  [
    'response-content-language',
    'boto2',
    'ngSGyYBP6XEzYMgX85poffsv4NU=',
    'jI+Ooq0RmTZMFpyodbAm6dIh5JA=',
    'lo7xxNWp1Agns3ZeNy3I+LmS2VQ=',
  ],
  [
    'response-content-type',
    'boto2',
    'vQ0Y6o99W+Zt1YieZGxqZQ4PimY=',
    '3GOuT02mpJeuJoFaPNTC3hHjkVE=',
    'sU5NN82j2UPvRO4Lb53lxeoNxwA=',
  ],
  [
    'response-expires',
    'boto2',
    'AWPydOcPgUSe0gQ39BvSiqkVOv8=',
    'YHatxGtu88EzGj24P5VIHqAQF/k=',
    'PeeieXykdUxY9QZcbuPIRokcYHI=',
  ],
  [
    'restore',
    'boto2',
    'jii2YI+PXSqFk613HnzpVWD9tWw=',
    'gc6rfvoVBEWgDygn0Bw2b46UFtM=',
    'Nm573pAXa5PoJtnRFP2SuSl2Su8=',
  ],
  [
    'select',
    'botocore',
    '593VH/KasIakWvSWUPkSTNFqVjA=',
    'T1kT3tdfuMvT5QpKcS3M2TLWOfk=',
    '+sboYxVwyA18cQy0l0HX5kk0dxE=',
  ],
  [
    'select-type',
    'botocore',
    'gjz+u/PwP+1hIVQiZGlXe+lIgc8=',
    'MVK7RprALfzlc5mnVOvWR65R8+s=',
    'nNcLa+KfjQiza1cNTFmwqPS2vm4=',
  ],
  [
    'storageClass',
    'boto2',
    'MLw+CQippncwRiSBBrxLFgfHHp0=',
    '5/qEwTwwQY0B2oopOiQFqLxcCZc=',
    'R5RWGUsnyML+ikJhgf/wls++7T4=',
  ],
  [
    'tagging',
    'boto2',
    'dW+sX1rmdKVp0Ed3U4TV34/3j44=',
    'gsYMEtmEU8QSU0cduFxPiesCuOk=',
    'FS434UzvKC5OBaIpNpKU63DM5b4=',
  ],
  [
    'torrent',
    'boto2',
    '5kaJZPBA8U+xLlW7flBDPYWW4cA=',
    'k1T/QM+/uuLRmQOD3obDzjrNREI=',
    'LJWaAbS4nx3NZ5NDK3QIsJ93/tE=',
  ],
  [
    'uploadId',
    'boto2',
    '8eYsk79eSsAPeGEufcY9t4s5mms=',
    'geMK0LVCucIeOom6LDOnle54PE8=',
    '+to48vJxPjXNW3BGA7qI79Hr2YU=',
  ],
  [
    'uploads',
    'boto2',
    'FNJ9fFtqzCFOwGfAhFSh0S5Zf8U=',
    'eEs/d/2LrJZOkxz5jjGqSmxBGxA=',
    '2VEeeDFeznEB4XqgjK4VNmiUZ0M=',
  ],
  [
    'versionId',
    'boto2',
    'bmlOLWU8zfKgy5DlcNZ/EjgHVcw=',
    'yBuQnZ8Be7b+LRxGBGFDBG5arec=',
    '2QFe/uG4uR/W5qPa1AXYzWvMkIU=',
  ],
  [
    'versioning',
    'boto2',
    '0ORl/Ed0dCnhfCds4iWt1quc4W4=',
    'Q/gtCbgwmfuiu5gBbQpWnzI3mtI=',
    '2ePK3OteMe/hEfaicobBp/Syot4=',
  ],
  [
    'versions',
    'boto2',
    '48uk1vA2keEnJ8OO40rbNAqHKiE=',
    'VBHB4IHVebvh10dEaatnm3NlRew=',
    'je26KEZLoeyntgrNVUgkvi+ixRk=',
  ],
  [
    'website',
    'boto2',
    'ElOhHiL76DJfIJRIJ/Hk3z/CKoI=',
    '/tS7nLSvEbZ7BpWm1+oqDgPUhxs=',
    '8s0fC/PQiAn6ptNxSj8w8etLBE4=',
  ],
];

async function verifies(rawUrl: string, signature: string): Promise<string | undefined> {
  const authorization = `AWS ${S3_DOC_CREDENTIALS.accessKeyId}:${signature}`;
  const result = await authenticate(
    { method: 'GET', rawUrl, headers: { date: DATE, authorization } },
    NOW,
    LOOKUP,
  );
  return result.ok ? undefined : result.failure.code;
}

describe('sigv2: sub-resources', () => {
  it('sigv2: sub-resources: the reference covers every name the verifier signs', () => {
    expect(REFERENCE.map(([name]) => name).sort()).toEqual([...SIGV2_SUBRESOURCES].sort());
  });

  it.each(REFERENCE)(
    'sigv2: sub-resource %s (%s): bare, empty and valued forms',
    async (name, _signer, bucketSig, keySig, valueSig) => {
      const bare = [`/bkt/?${name}`, `/bkt/k%20ey?${name}`] as const;
      expect(canonicalResourceV2(`/bkt/?${name}=`)).toBe(`/bkt/?${name}`);
      expect(stringToSignV2({ method: 'GET', rawUrl: bare[1], headers: { date: DATE } })).toBe(
        `GET\n\n\n${DATE}\n/bkt/k%20ey?${name}`,
      );
      for (const [rawUrl, signature] of [
        [bare[0], bucketSig],
        [bare[1], keySig],
      ] as const) {
        expect(await verifies(rawUrl, signature), rawUrl).toBeUndefined();
        expect(await verifies(`${rawUrl}=`, signature), `${rawUrl}=`).toBeUndefined();
        // Sent with other parameters around it, still the same resource.
        const around = rawUrl.replace('?', '?prefix=a&') + '=&max-keys=1';
        expect(await verifies(around, signature), around).toBeUndefined();
      }
      expect(await verifies(`/bkt/k?${name}=v%2F1`, valueSig)).toBeUndefined();
      // The value is part of what is signed: another value, or none, is another request.
      expect(await verifies(`/bkt/k?${name}=v%2F2`, valueSig)).toBe('SignatureDoesNotMatch');
      expect(await verifies(`/bkt/k?${name}`, valueSig)).toBe('SignatureDoesNotMatch');
      expect(await verifies('/bkt/k%20ey', keySig)).toBe('SignatureDoesNotMatch');
    },
  );
});
