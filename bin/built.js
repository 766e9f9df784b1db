// Imports a compiled entry point of dist/; when dist/ does not hold it (a fresh clone, before
// `npm run build`) or a dependency is not installed (before `npm ci`), prints one line saying
// what to run instead of a module-resolution stack trace.
import { fileURLToPath } from 'node:url';

/** Imports `relative` (to this folder); `name` is the program named in the message. */
export async function builtOrExplain(name, relative) {
  const url = new URL(relative, import.meta.url);
  try {
    await import(url.href);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    const root = fileURLToPath(new URL('..', import.meta.url));
    const entry = `module '${fileURLToPath(url)}'`;
    const what = error.message.includes(entry)
      ? 'not built yet: run `npm run build`'
      : /^Cannot find package/.test(error.message)
        ? 'dependencies not installed: run `npm ci`'
        : undefined;
    if (what === undefined) throw error;
    process.stderr.write(`${name}: ${what} in ${root}\n`);
    process.exit(1);
  }
}
