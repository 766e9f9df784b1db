/**
 * Finds the external clients the compatibility tests drive. A developer without one gets
 * a skipped test that says why; in CI (CI=true) a missing tool is a failure, because
 * .ci/run installs them all and nothing may skip there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** An external program some test drives; .ci/run installs every one. */
export type Tool =
  'boto' | 'boto3' | 'aws' | 's3cmd' | 'rclone' | 'ruby-aws-sdk' | 'docker-compose' | 'chromium';

/** Why `tool` cannot run here, or undefined when it can. */
export function missingTool(tool: Tool): string | undefined {
  const reason = probe(tool);
  if (reason && process.env.CI === 'true') {
    throw new Error(`${reason}; CI must install it (.ci/run)`);
  }
  return reason;
}

function probe(tool: Tool): string | undefined {
  switch (tool) {
    case 'boto':
    case 'boto3':
      if (!existsSync('/usr/bin/python3')) return '/usr/bin/python3 is missing';
      try {
        execFileSync('/usr/bin/python3', ['-c', `import ${tool}`], { stdio: 'ignore' });
        return undefined;
      } catch {
        return `python3-${tool} is not installed (apt-get install python3-${tool})`;
      }
    case 'ruby-aws-sdk':
      try {
        execFileSync('ruby', ['-e', 'require "aws-sdk"'], { stdio: 'ignore' });
        return undefined;
      } catch {
        return 'the AWS SDK for Ruby v1 is not installed (apt-get install ruby-aws-sdk)';
      }
    case 'aws':
      return existsSync('/usr/bin/aws')
        ? undefined
        : 'awscli is not installed (apt-get install awscli)';
    default:
      return existsSync(`/usr/bin/${tool}`)
        ? undefined
        : `${tool} is not installed (apt-get install ${tool})`;
  }
}
