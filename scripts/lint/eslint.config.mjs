// ESLint for the whole repository (`npm run lint` runs it with `--config` pointing here, since the
// repository's top level is fixed). Deliberately syntactic: typescript-eslint's recommended rules
// without type information (the type checker runs as its own turbo task), plus one structural rule
// that tsc cannot give us — no import cycles between our own modules.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.turbo/**',
      '**/src/generated/**',
      'test/artifacts/**',
      '.data/**',
      '.hub/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Parse the modules a file imports as TypeScript too; otherwise the cycle rule cannot follow them.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.cts', '.mts'] },
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.json', '*/tsconfig.json', 'subgraphs/*/tsconfig.json', 'gateway/contracts/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      // Our own modules must form a tree of layers; a cycle means a helper lives in the wrong folder.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Prettier wraps code at 120; this catches the comments it leaves alone (messages may run long).
      'max-len': [
        'error',
        { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // One concept per file: past 400 lines a file holds several (tests and generated code aside).
    files: ['gateway/src/**/*.{ts,tsx}', 'subgraphs/*/src/**/*.{ts,tsx}', 'scripts/src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/src/generated/**'],
    rules: { 'max-lines': ['error', { max: 400 }] },
  },
  {
    // The CLI answers in well under a second only if each command loads the folders it uses: the
    // packages' roots load the whole gateway or kit (about a second of module loading each).
    files: ['scripts/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['@cdo-hub/gateway', '@cdo-hub/subgraph-kit'].map((name) => ({
            name,
            message: `import the folder you use, e.g. '${name}/config': the root loads the whole package`,
          })),
        },
      ],
    },
  },
  {
    // Tests assert on GraphQL JSON bodies by shape; typing every body would add noise, not safety.
    files: ['**/*.test.ts', '**/*.test-helpers.ts', 'test/**/*.ts', '**/src/testing/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['gateway/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
