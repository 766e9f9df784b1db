/**
 * A request that names one version (`?versionId=`, or a copy source's) is checked against
 * AWS's `*Version` action, not the unversioned one: a policy that allows `s3:GetObject` does
 * not allow reading an older version, and one that denies `s3:DeleteObjectVersion` stops
 * permanent deletes while plain deletes (which only write a marker) go on.
 */
import type { S3Action } from './authorize.js';

const VERSION_ACTIONS: Partial<Record<S3Action, S3Action>> = {
  's3:GetObject': 's3:GetObjectVersion',
  's3:DeleteObject': 's3:DeleteObjectVersion',
  's3:GetObjectTagging': 's3:GetObjectVersionTagging',
  's3:PutObjectTagging': 's3:PutObjectVersionTagging',
  's3:DeleteObjectTagging': 's3:DeleteObjectVersionTagging',
  's3:GetObjectAcl': 's3:GetObjectVersionAcl',
  's3:PutObjectAcl': 's3:PutObjectVersionAcl',
  's3:GetObjectAttributes': 's3:GetObjectVersionAttributes',
};

/** The action a request for `action` checks when it names a version (`versionId` given). */
export function actionFor(action: S3Action, versionId: string | null | undefined): S3Action {
  if (versionId === undefined || versionId === null) return action;
  return VERSION_ACTIONS[action] ?? action;
}
