/**
 * The console on a cluster (scripts/dev-cluster.sh: three storage nodes, two stanchions and
 * an S3 front end, real processes on loopback): the Cluster page shows the members, the
 * stanchions and their epoch, and the admin joins two nodes with a plan and a commit, then
 * stages a leave, sees its plan and clears it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startDevCluster, type DevCluster } from '../helpers/dev-cluster.js';
import { skipWith } from '../helpers/skip.js';
import { missingTool } from '../helpers/tools.js';
import { signIn } from './console-steps.js';

describe('console on a 3-node cluster', skipWith(missingTool('chromium')), () => {
  let cluster: DevCluster;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    cluster = await startDevCluster(3);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.cleanup();
  });

  it('shows the cluster, then joins two nodes with a plan and a commit', async () => {
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await signIn(page, cluster.endpoint, cluster.keyId, cluster.secret);
    await page.getByRole('heading', { name: 'Stanchion' }).waitFor();
    await expect.poll(() => page.getByText('active').count()).toBeGreaterThan(0);
    for (const n of [2, 3]) {
      await page.getByLabel('Join node (HOST:PORT)').fill(`127.0.0.1:${cluster.basePort + n}`);
      await page.getByRole('button', { name: 'Stage join' }).click();
      await page.getByText(`Staged: 127.0.0.1:${cluster.basePort + n} joins.`).waitFor();
    }
    await page.getByRole('button', { name: 'Plan' }).click();
    const plan = page.getByLabel('Plan');
    await plan.getByText(/partition transfers will follow the commit/).waitFor();
    expect(await plan.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/^join dev2/),
      expect.stringMatching(/^join dev3/),
    ]);
    await screenshot(page, 'console-cluster-plan');
    await page.getByRole('button', { name: 'Commit' }).click();
    await page.getByText(/^Committed/).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(
      /^Committed: 2 changes; ring epoch \d+; \d+ partitions to transfer\.$/,
    );
    const members = page.locator('table').first().locator('tbody tr');
    await expect.poll(() => members.count(), { timeout: 60_000 }).toBe(3);
    // The screenshot shows the cluster once the join's transfers are all done.
    const settled = page.getByText('No partition is changing owner.');
    await expect.poll(() => settled.count(), { timeout: 90_000 }).toBe(1);
    await screenshot(page, 'console-cluster-joined');
  }, 180_000);

  it('stages a leave, shows its plan, and clears it without committing', async () => {
    const dev3 = (
      await page.getByLabel('Member to leave').locator('option').allTextContents()
    ).find((id) => id.startsWith('dev3'));
    expect(dev3).toBeDefined();
    await page.getByLabel('Member to leave').selectOption(dev3!);
    await page.getByRole('button', { name: 'Stage leave' }).click();
    await page.getByText(`Staged: ${dev3} leaves.`).waitFor();
    await page.getByRole('button', { name: 'Plan' }).click();
    const plan = page.getByLabel('Plan');
    await expect
      .poll(() => plan.getByRole('listitem').allTextContents())
      .toEqual([`leave ${dev3}`]);
    await screenshot(page, 'console-cluster-leave-plan');
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByText('Staged changes cleared.').waitFor();
    expect(await page.getByLabel('Plan').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Commit' }).isDisabled()).toBe(true);
  }, 60_000);

  it('refuses a join of something that is not a node, and changes nothing', async () => {
    await page.getByLabel('Join node (HOST:PORT)').fill('127.0.0.1:1');
    await page.getByRole('button', { name: 'Stage join' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The node refused');
    await page.getByRole('button', { name: 'Plan' }).click();
    await page.getByText('Plan computed.').waitFor();
    expect(await page.getByLabel('Plan').getByRole('listitem').count()).toBe(0);
  }, 60_000);
});
