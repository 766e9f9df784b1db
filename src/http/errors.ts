/**
 * Every S3 error code Cairn answers, with its HTTP status and message, in one table; one
 * error class carries a code from it. Handlers throw S3Error; the one error handler in
 * app.ts renders it. Anything else thrown is a bug or a backend failure, never a 4xx.
 * Messages are AWS's words, since some clients compare them: where what S3 sends differs
 * from its documented error table (SignatureDoesNotMatch, InvalidAccessKeyId, NoSuchUpload,
 * RequestTimeTooSkewed, BucketAlreadyOwnedByYou, ...), the words S3 sends.
 */

/** The S3 error table. */
export const S3_ERRORS = {
  AccessForbidden: {
    status: 403,
    message: 'CORSResponse: This CORS request is not allowed.',
  },
  AccessDenied: { status: 403, message: 'Access Denied' },
  AccessControlListNotSupported: { status: 400, message: 'The bucket does not allow ACLs' },
  AuthorizationHeaderMalformed: {
    status: 400,
    message: 'The authorization header you provided is invalid.',
  },
  AuthorizationQueryParametersError: {
    status: 400,
    message: 'Error parsing the X-Amz-Credential parameter.',
  },
  BadRequest: { status: 400, message: 'Bad Request' },
  BadDigest: {
    status: 400,
    message: 'The Content-MD5 you specified did not match what we received.',
  },
  BucketAlreadyExists: {
    status: 409,
    message:
      'The requested bucket name is not available. The bucket namespace is shared by all ' +
      'users of the system. Please select a different name and try again.',
  },
  BucketAlreadyOwnedByYou: {
    status: 409,
    message: 'Your previous request to create the named bucket succeeded and you already own it.',
  },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty.' },
  EntityTooLarge: {
    status: 400,
    message: 'Your proposed upload exceeds the maximum allowed object size.',
  },
  EntityTooSmall: {
    status: 400,
    message: 'Your proposed upload is smaller than the minimum allowed object size.',
  },
  IllegalLocationConstraintException: {
    status: 400,
    message:
      'The unspecified location constraint is incompatible for the region specific endpoint ' +
      'this request was sent to.',
  },
  IncompleteBody: {
    status: 400,
    message: 'You did not provide the number of bytes specified by the Content-Length HTTP header',
  },
  InsufficientStorage: {
    status: 507,
    message:
      'The storage nodes are out of disk space (below their free-space reserve). ' +
      'Delete objects or add storage, then retry.',
  },
  InternalError: {
    status: 500,
    message: 'We encountered an internal error. Please try again.',
  },
  IncorrectNumberOfFilesInPostRequest: {
    status: 400,
    message: 'POST requires exactly one file upload per request.',
  },
  InvalidAccessKeyId: {
    status: 403,
    message: 'The AWS Access Key Id you provided does not exist in our records.',
  },
  InvalidArgument: { status: 400, message: 'Invalid Argument' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  InvalidBucketAclWithObjectOwnership: {
    status: 400,
    message: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
  },
  InvalidBucketState: {
    status: 409,
    message: 'The request is not valid with the current state of the bucket.',
  },
  InvalidDigest: { status: 400, message: 'The Content-MD5 you specified is not valid.' },
  InvalidPart: {
    status: 400,
    message:
      'One or more of the specified parts could not be found. The part may not have been ' +
      "uploaded, or the specified entity tag may not match the part's entity tag.",
  },
  InvalidPartNumber: { status: 416, message: 'The requested partnumber is not satisfiable' },
  InvalidPartOrder: {
    status: 400,
    message: 'The list of parts was not in ascending order. Parts must be ordered by part number.',
  },
  InvalidPolicyDocument: {
    status: 400,
    message:
      'The content of the form does not meet the conditions specified in the policy document.',
  },
  InvalidRange: { status: 416, message: 'The requested range is not satisfiable' },
  InvalidRequest: { status: 400, message: 'Invalid Request' },
  InvalidRetentionPeriod: {
    status: 400,
    message: 'The retention period must be a positive whole number of days or years.',
  },
  InvalidStorageClass: { status: 400, message: 'The storage class you specified is not valid.' },
  InvalidTag: { status: 400, message: 'The tag provided was not a valid tag.' },
  InvalidURI: { status: 400, message: "Couldn't parse the specified URI." },
  KeyTooLongError: { status: 400, message: 'Your key is too long.' },
  MalformedACLError: {
    status: 400,
    message:
      'The XML you provided was not well-formed or did not validate against our published schema.',
  },
  InvalidRedirectLocation: {
    status: 400,
    message: "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.",
  },
  MalformedPolicy: { status: 400, message: 'The policy is not valid.' },
  MalformedPOSTRequest: {
    status: 400,
    message: 'The body of your POST request is not well-formed multipart/form-data.',
  },
  MalformedTrailerError: {
    status: 400,
    message: 'The request contained trailing data that was not well-formed.',
  },
  MalformedXML: {
    status: 400,
    message:
      'The XML you provided was not well-formed or did not validate against our published schema.',
  },
  MaxPostPreDataLengthExceededError: {
    status: 400,
    message: 'Your POST request fields preceding the upload file were too large.',
  },
  MaxMessageLengthExceeded: { status: 400, message: 'Your request was too big.' },
  MetadataTooLarge: {
    status: 400,
    message: 'Your metadata headers exceed the maximum allowed metadata size.',
  },
  MethodNotAllowed: {
    status: 405,
    message: 'The specified method is not allowed against this resource.',
  },
  MissingContentLength: {
    status: 411,
    message: 'You must provide the Content-Length HTTP header.',
  },
  MissingSecurityHeader: {
    status: 400,
    message: 'Your request is missing a required header.',
  },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist.' },
  NoSuchBucketPolicy: { status: 404, message: 'The bucket policy does not exist' },
  NoSuchCORSConfiguration: { status: 404, message: 'The CORS configuration does not exist' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  NoSuchLifecycleConfiguration: {
    status: 404,
    message: 'The lifecycle configuration does not exist',
  },
  NoSuchVersion: {
    status: 404,
    message: 'The specified version does not exist.',
  },
  NoSuchObjectLockConfiguration: {
    status: 404,
    message: 'The specified object does not have a ObjectLock configuration',
  },
  NoSuchPublicAccessBlockConfiguration: {
    status: 404,
    message: 'The public access block configuration was not found',
  },
  NoSuchTagSet: { status: 404, message: 'The TagSet does not exist' },
  NoSuchUpload: {
    status: 404,
    message:
      'The specified upload does not exist. The upload ID may be invalid, or the upload may ' +
      'have been aborted or completed.',
  },
  NoSuchUser: { status: 404, message: 'The specified user does not exist.' },
  NoSuchWebsiteConfiguration: {
    status: 404,
    message: 'The specified bucket does not have a website configuration',
  },
  NotImplemented: {
    status: 501,
    message: 'A header you provided implies functionality that is not implemented.',
  },
  NotModified: { status: 304, message: 'Not Modified' },
  /** Riak CS admin API: no representation the Accept header allows (webmachine's 406). */
  NotAcceptable: { status: 406, message: 'None of the acceptable media types is offered.' },
  ObjectLockConfigurationNotFoundError: {
    status: 404,
    message: 'Object Lock configuration does not exist for this bucket',
  },
  OwnershipControlsNotFoundError: {
    status: 404,
    message: 'The bucket ownership controls were not found',
  },
  OperationAborted: {
    status: 409,
    message:
      'A conflicting conditional operation is currently in progress against this resource. ' +
      'Please try again.',
  },
  PreconditionFailed: {
    status: 412,
    message: 'At least one of the preconditions you specified did not hold.',
  },
  /** RGW's code for a write past a user's or bucket's quota (Cairn's quotas: README). */
  QuotaExceeded: { status: 403, message: 'The quota of this bucket or user would be exceeded.' },
  RequestTimeTooSkewed: {
    status: 403,
    message: 'The difference between the request time and the current time is too large.',
  },
  ServerSideEncryptionConfigurationNotFoundError: {
    status: 404,
    message: 'The server side encryption configuration was not found',
  },
  ServiceUnavailable: { status: 503, message: 'Service is unable to handle request.' },
  SignatureDoesNotMatch: {
    status: 403,
    message:
      'The request signature we calculated does not match the signature you provided. ' +
      'Check your key and signing method.',
  },
  TooManyBuckets: {
    status: 400,
    message: 'You have attempted to create more buckets than allowed.',
  },
  UnresolvableGrantByEmailAddress: {
    status: 400,
    message: 'The email address you provided does not match any account on record.',
  },
  /** Riak CS admin API: a body that is neither JSON nor XML (webmachine's 415). */
  UnsupportedMediaType: {
    status: 415,
    message: 'The request body must be application/json or application/xml.',
  },
  UserAlreadyExists: {
    status: 409,
    message: 'The specified email address has already been registered.',
  },
  XAmzContentSHA256Mismatch: {
    status: 400,
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  },
  InvalidEncryptionAlgorithmError: {
    status: 400,
    message: 'The encryption request you specified is not valid. The valid value is AES256.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

/** A code of the S3 error table. */
export type S3ErrorCode = keyof typeof S3_ERRORS;

/** Whether `code` names an entry of the table. */
export function isS3ErrorCode(code: string): code is S3ErrorCode {
  return Object.hasOwn(S3_ERRORS, code);
}

/** An S3 error: a code from the table, an optional detail for the message, extra fields. */
export class S3Error extends Error {
  readonly status: number;

  constructor(
    readonly code: S3ErrorCode,
    readonly detail?: string,
    options?: {
      cause?: unknown;
      fields?: Record<string, string>;
      headers?: Record<string, string>;
      /** Already logged where it arose (once per cause): the error handler does not. */
      logged?: boolean;
    },
  ) {
    super(detail ?? S3_ERRORS[code].message, options);
    this.status = S3_ERRORS[code].status;
    this.fields = options?.fields ?? {};
    this.headers = options?.headers ?? {};
    this.logged = options?.logged === true;
  }

  /** Whether it was logged where it arose, so the error handler leaves it out. */
  readonly logged: boolean;

  /** Extra elements rendered into the error XML (BucketName, Key, ...). */
  readonly fields: Record<string, string>;
  /** Extra response headers (Content-Range of a 416, ETag of a 304). */
  readonly headers: Record<string, string>;

  static noSuchBucket(bucket: string): S3Error {
    return new S3Error('NoSuchBucket', undefined, { fields: { BucketName: bucket } });
  }

  static noSuchKey(key: string): S3Error {
    return new S3Error('NoSuchKey', undefined, { fields: { Key: key } });
  }

  static notImplemented(what: string): S3Error {
    return new S3Error('NotImplemented', `${what} is not implemented.`);
  }
}
