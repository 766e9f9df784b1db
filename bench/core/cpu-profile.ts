/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) into the few lines a benchmark note
 * needs: where the self time went, by function and by area (a package, Node's internals,
 * Cairn's own modules, GC). Pure: profile object in, sorted rows out.
 */

/** The parts of a V8 CPU profile this module reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    /** Ids of the nodes this one called (parent links, for profile-split.ts). */
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time of one function or area. */
export interface ProfileRow {
  name: string;
  selfMs: number;
  /** Share of all sampled time, 0..1. */
  share: number;
}

/** The area of a script URL: `fastify`, `node:internal`, `cairn:src/s3`, `(native)`. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const own = /\/dist\/((?:src|ring|stanchion|bench)(?:\/[^/]+)?)\//.exec(url);
  if (own) return `cairn:${own[1]}`;
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/');
}

/** Top `count` functions and areas by self time. */
export function summarizeProfile(
  profile: CpuProfile,
  count: number,
): { totalMs: number; functions: ProfileRow[]; areas: ProfileRow[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const deltaUs = Math.max(0, profile.timeDeltas[i] ?? 0);
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    totalUs += deltaUs;
    const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const fn = `${frame.functionName || '(anonymous)'}${where}`;
    functions.set(fn, (functions.get(fn) ?? 0) + deltaUs);
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + deltaUs);
  });
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
  return { totalMs: totalUs / 1000, functions: rows(functions), areas: rows(areas) };
}
