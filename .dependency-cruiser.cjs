/**
 * The layering of Cairn, checked by dependency-cruiser (`npm run lint`, and
 * test/unit/lint.test.ts). Dependencies point down only:
 *
 *   src/ (router.ts, front-end.ts, main.ts, cli/, commands/)  composition and programs
 *   src/s3/, src/admin/                                        the APIs, side by side
 *   src/http/                                                  what the APIs share
 *   src/objects/, src/usage/, src/metrics/, src/auth/, ...     services of a front end
 *   stanchion/                                                 the serializer
 *   ring/ (client side) -> ring/transport, ring/storage -> ring/core
 *                           ring/node/ (the storage-node shell) beside the client side
 *
 * bench/ and scripts/ may import anything of the product but not each other's internals
 * in a cycle; nothing of the product imports them or test/.
 */
/** Node's modules that do I/O or keep time: none of them in a pure core/ folder. */
const IO_MODULES =
  '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|dns/promises|child_process|' +
  'cluster|worker_threads|timers|timers/promises|readline|stream|stream/promises|os|process)$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle between files: one of them belongs in a layer below both.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      comment: 'A cycle between folders: the layers are the folders.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'ring-imports-only-ring',
      comment: 'ring/ is the bottom program: it knows nothing of stanchion/ or src/.',
      severity: 'error',
      from: { path: '^ring/' },
      to: { path: '^(stanchion|src|bench|scripts|test)/' },
    },
    {
      name: 'stanchion-not-src',
      comment: 'stanchion/ sits below src/ (src -> stanchion -> ring).',
      severity: 'error',
      from: { path: '^stanchion/' },
      to: { path: '^(src|bench|scripts|test)/' },
    },
    {
      name: 'product-not-tools',
      comment: 'The product never imports the bench, the scripts or the tests.',
      severity: 'error',
      from: { path: '^(src|stanchion|ring)/' },
      to: { path: '^(bench|scripts|test)/' },
    },
    {
      name: 'ring-client-not-node',
      comment:
        'The client side of the ring (client.ts, fan-out.ts, remote-ring.ts) and the layers ' +
        'below the storage node (core, storage, transport) never reach into ring/node/: ' +
        'what both need lives in ring/transport/ or ring/core/.',
      severity: 'error',
      from: { path: '^ring/([^/]+\\.ts$|core/|storage/|transport/)' },
      to: { path: '^ring/node/' },
    },
    {
      name: 'ring-core-only-core',
      comment: 'ring/core/ is the maths of the ring: it imports nothing else of ring/.',
      severity: 'error',
      from: { path: '^ring/core/' },
      to: { path: '^ring/', pathNot: '^ring/core/' },
    },
    {
      name: 'core-is-pure',
      comment: 'A core/ folder is pure logic: no file, network, process or timer module.',
      severity: 'error',
      from: { path: '(^|/)core/' },
      to: { dependencyTypes: ['core'], path: IO_MODULES },
    },
    {
      name: 'core-no-packages',
      comment: 'A core/ folder uses no npm package (fastify, classic-level, prom-client...).',
      severity: 'error',
      from: { path: '(^|/)core/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'] },
    },
    {
      name: 'http-below-apis',
      comment:
        'src/http/ is the plumbing the APIs share (errors, XML, bodies, request context, the ' +
        'server): it never imports an API (s3, admin) or what composes them.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(s3|admin|console|cli|commands|import)/|^src/[^/]+\\.ts$' },
    },
    {
      name: 'apis-side-by-side',
      comment:
        'The S3 API, the admin API and the console do not know each other; src/router.ts ' +
        'composes them (the console calls the other two through the app, never an import).',
      severity: 'error',
      from: { path: '^src/(s3|admin|console)/' },
      // $1 is the API the import is made from: within one API, imports are free.
      to: { path: '^src/(s3|admin|console)/', pathNot: '^src/$1/' },
    },
    {
      name: 'services-below-http',
      comment:
        'The services of a front end (objects, usage, metrics, auth, config) sit below the ' +
        'HTTP layer and the APIs.',
      severity: 'error',
      from: { path: '^src/(objects|usage|metrics|auth|config)/' },
      to: { path: '^src/(http|s3|admin|cli|commands|import)/|^src/[^/]+\\.ts$' },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports and that imports nothing is dead code or a stray.',
      severity: 'error',
      from: { orphan: true, pathNot: '\\.d\\.ts$' },
      to: {},
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that resolves to nothing would fail at run time.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'product-not-dev-deps',
      comment: 'What ships (src, stanchion, ring) uses dependencies, not devDependencies.',
      severity: 'error',
      from: { path: '^(src|stanchion|ring)/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    // Type-only imports count: a layer that needs another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    // Decides the verdict alone: no cache that could hide a new violation.
    cache: false,
  },
};
