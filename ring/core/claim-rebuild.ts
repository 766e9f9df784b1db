/**
 * Claim, part two: the from-scratch layout (`spacedPattern`), turned and relabelled to keep
 * as many current owners as it can. Pure; claim.ts documents the promises and picks
 * between this and the in-place repair.
 */
import { FREE } from './claim-repair.js';

export /** Clusters up to this many members also try the from-scratch layout on every claim. */
const REBUILD_MEMBERS_MAX = 16;

/** Clusters up to this many members try every labelling of the from-scratch layout. */
const EXACT_LABELS_MAX = 6;

/** Shifts of the from-scratch layout tried for larger clusters (all Q for small ones). */
const REBUILD_SHIFTS_MAX = 64;

/**
 * Whether `spacedPattern(q, n)` keeps every window of `w` distinct. The layout is rows of
 * n labels with `n - q mod n` cells deleted in blocks; a window between two uses of one
 * label spans two adjacent rows and loses at most the larger of their two blocks.
 */
export function patternSpacingHolds(q: number, n: number, w: number): boolean {
  if (w > n) return false;
  const remainder = q % n;
  if (remainder === 0) return true;
  const rows = Math.floor(q / n) + 1;
  return Math.ceil((n - remainder) / rows) <= n - w;
}

/**
 * A balanced layout from scratch: the label (0..n-1) of each of the q partitions. Label
 * c sits at column c of rows of n; the `rows * n - q` surplus cells are deleted in
 * contiguous blocks, one block per row, each block just below the previous one, so every
 * label is deleted at most once (balance) and the gaps between uses of a label shrink by
 * at most one block (spacing, see `claimSpacing`).
 */
export function spacedPattern(q: number, n: number): number[] {
  const rows = Math.ceil(q / n);
  const deletions = rows * n - q;
  const labels: number[] = [];
  let blockEnd = n;
  for (let row = 0; row < rows; row++) {
    const size = Math.floor(deletions / rows) + (row < deletions % rows ? 1 : 0);
    const blockStart = blockEnd - size;
    for (let c = 0; c < n; c++) if (c < blockStart || c >= blockEnd) labels.push(c);
    blockEnd = blockStart;
  }
  return labels;
}

/**
 * The from-scratch answer: `spacedPattern` turned to the shift and labelled with the
 * members that keep the most partitions where they are.
 */
export function claimRebuild(owners: readonly string[], nodes: readonly string[]): string[] {
  const q = owners.length;
  const n = nodes.length;
  const pattern = spacedPattern(q, n);
  const index = new Map(nodes.map((id, i) => [id, i]));
  const old = Int32Array.from(owners, (id) => index.get(id) ?? FREE);
  // Round robin (n divides Q) turned by any shift is a relabelling of itself.
  const shifts = q % n === 0 ? 1 : n <= REBUILD_MEMBERS_MAX ? q : REBUILD_SHIFTS_MAX;
  let best = { kept: -1, shift: 0, memberOf: [] as number[] };
  for (let i = 0; i < shifts; i++) {
    const shift = Math.floor((i * q) / shifts);
    const labelled =
      n <= EXACT_LABELS_MAX
        ? rebuildLabelsExact(pattern, old, shift, n)
        : rebuildLabels(pattern, old, shift, n);
    if (labelled.kept > best.kept) best = { ...labelled, shift };
  }
  return owners.map((_, p) => nodes[best.memberOf[pattern[(p + best.shift) % q]!]!]!);
}

/** Best labelling by trying every one (n ≤ EXACT_LABELS_MAX, so at most 720). */
function rebuildLabelsExact(
  pattern: readonly number[],
  old: Int32Array,
  shift: number,
  n: number,
): { kept: number; memberOf: number[] } {
  const q = pattern.length;
  const agree = new Int32Array(n * n);
  for (let p = 0; p < q; p++) {
    if (old[p] !== FREE) agree[pattern[(p + shift) % q]! * n + old[p]!]!++;
  }
  const best = { kept: -1, memberOf: [] as number[] };
  const memberOf: number[] = [];
  const taken = new Uint8Array(n);
  const search = (label: number, kept: number) => {
    if (label === n) {
      if (kept > best.kept) [best.kept, best.memberOf] = [kept, [...memberOf]];
      return;
    }
    for (let m = 0; m < n; m++) {
      if (taken[m]) continue;
      taken[m] = 1;
      memberOf.push(m);
      search(label + 1, kept + agree[label * n + m]!);
      memberOf.pop();
      taken[m] = 0;
    }
  };
  search(0, 0);
  return best;
}

/** Greedy labelling: the (label, member) pairs that agree most often are matched first. */
function rebuildLabels(
  pattern: readonly number[],
  old: Int32Array,
  shift: number,
  n: number,
): { kept: number; memberOf: number[] } {
  const pairs = agreeingPairs(pattern, old, shift, n);
  const memberOf = new Array<number>(n).fill(FREE);
  const taken = new Uint8Array(n);
  let kept = 0;
  for (let i = pairs.length - 1; i >= 0; i--) {
    const together = Math.floor(pairs[i]! / (n * n));
    const key = n * n - 1 - (pairs[i]! % (n * n));
    const label = Math.floor(key / n);
    const m = key % n;
    if (memberOf[label] !== FREE || taken[m]) continue;
    memberOf[label] = m;
    taken[m] = 1;
    kept += together;
  }
  let next = 0;
  for (let label = 0; label < n; label++) {
    if (memberOf[label] !== FREE) continue;
    while (taken[next]) next++;
    memberOf[label] = next;
    taken[next] = 1;
  }
  return { kept, memberOf };
}

/**
 * Every (label, member) pair that agrees somewhere, encoded as one number that sorts by
 * agreement and then by pair (together * n² + n² - 1 - (label * n + member)), ascending.
 */
function agreeingPairs(
  pattern: readonly number[],
  old: Int32Array,
  shift: number,
  n: number,
): Float64Array {
  const q = pattern.length;
  const size = n * n;
  const dense = size <= q * 4 ? new Int32Array(size) : null;
  const sparse = new Map<number, number>();
  for (let p = 0; p < q; p++) {
    const m = old[p]!;
    if (m === FREE) continue;
    const key = pattern[(p + shift) % q]! * n + m;
    if (dense) dense[key]!++;
    else sparse.set(key, (sparse.get(key) ?? 0) + 1);
  }
  const found: number[] = [];
  if (dense) {
    for (let key = 0; key < size; key++) {
      if (dense[key]! > 0) found.push(dense[key]! * size + (size - 1 - key));
    }
  } else {
    for (const [key, together] of sparse) found.push(together * size + (size - 1 - key));
  }
  return Float64Array.from(found).sort();
}
