// Bundles the playground (GraphiQL, React, the Monaco editor workers, styles and fonts) into
// dist/web with esbuild, and the CDOs' console and the transparency page beside it, so the gateway serves both with no request
// leaving the host.
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const outdir = join(here, '..', 'dist', 'web');
const started = performance.now();
const common = {
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  logLevel: 'warning',
  legalComments: 'none',
};

await build({
  ...common,
  entryPoints: { playground: join(here, 'playground', 'main.tsx') },
  outdir,
  jsx: 'automatic',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file' },
  assetNames: '[name]-[hash]',
  define: { 'process.env.NODE_ENV': '"production"' },
});
// The CDOs' console: React and its own code only (no GraphiQL, no editor), so it stays small.
await build({
  ...common,
  entryPoints: { console: join(here, 'console', 'main.tsx') },
  outdir,
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
});
// A person's own access log: React and its own code only.
await build({
  ...common,
  entryPoints: { transparency: join(here, 'transparency', 'main.tsx') },
  outdir,
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
});
await build({
  ...common,
  entryPoints: {
    'editor.worker': require.resolve('monaco-editor/esm/vs/editor/editor.worker.js'),
    'json.worker': require.resolve('monaco-editor/esm/vs/language/json/json.worker.js'),
    'graphql.worker': require.resolve('monaco-graphql/esm/graphql.worker.js'),
  },
  outdir,
});
const kib = (file) => `${Math.round(statSync(join(outdir, file)).size / 1024)} KiB`;
console.log(
  `playground (${kib('playground.js')}), console (${kib('console.js')}) and transparency (${kib('transparency.js')}) bundled into ${outdir} in ${Math.round(performance.now() - started)} ms`,
);
