// ESLint flat config: @eslint/js and typescript-eslint's type-aware recommended rules, plus
// the project's own bans. The tools live in tools/lint/ (they need the TypeScript 6 API; the
// project compiles with TypeScript 7): run through `npm run lint`, which installs them.
import { createRequire } from 'node:module';

const require = createRequire(new URL('./tools/lint/package.json', import.meta.url));
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** `new RegExp(x)` / `RegExp(x)` with anything but a literal: a client's text as a pattern. */
const DYNAMIC_REGEXP = [
  'NewExpression[callee.name="RegExp"]',
  'CallExpression[callee.name="RegExp"]',
]
  .map(
    (call) =>
      `${call} > :first-child:not(Literal, TemplateLiteral[expressions.length=0], ` +
      'TaggedTemplateExpression[tag.object.name="String"][tag.property.name="raw"]' +
      '[quasi.expressions.length=0])',
  )
  .join(', ');

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'tools/lint/node_modules/', '.bench/', '.s3-tests/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: DYNAMIC_REGEXP,
          message:
            'No RegExp from a non-literal: a client-supplied pattern can backtrack for ' +
            'minutes (see src/s3/wildcard.ts for matching without one).',
        },
      ],
    },
  },
  {
    // Plain JavaScript (this file, bin/, tools/): no type information to lint with.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
