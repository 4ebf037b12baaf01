// Bundles the extension (node, CommonJS, vscode external) and the webview scripts (browser, IIFE).
//   node client/esbuild.mjs               development build into dist/
//   node client/esbuild.mjs --production  minified, no sourcemaps (used by `npm run package`)
//   node client/esbuild.mjs --watch
//   node client/esbuild.mjs --tests       compiles the vscode-free modules to out/ for `node --test`
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const prod = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');
const root = new URL('..', import.meta.url).pathname;

function walk(dir) {
  return readdirSync(dir).flatMap(n => { const p = join(dir, n); return statSync(p).isDirectory() ? walk(p) : [p]; });
}

const builds = tests ? [{
  // every module that does not import vscode, transpiled one to one, so tests import them directly
  entryPoints: walk(join(root, 'client/src')).filter(f => f.endsWith('.ts')),
  outdir: join(root, 'out/client/src'),
  outbase: join(root, 'client/src'),
  platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'warning',
}] : [{
  entryPoints: [join(root, 'client/src/extension.ts')],
  outfile: join(root, 'dist/extension.js'),
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'],
  minify: prod, sourcemap: !prod, logLevel: 'warning', legalComments: 'none',
}, {
  entryPoints: { preview: join(root, 'client/src/webview/previewMain.ts'), network: join(root, 'client/src/webview/networkMain.ts') },
  outdir: join(root, 'dist/webview'),
  bundle: true, platform: 'browser', format: 'iife', target: 'es2022',
  minify: prod, sourcemap: prod ? false : 'inline', logLevel: 'warning',
}];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching client/src');
} else {
  const t0 = Date.now();
  await Promise.all(builds.map(b => esbuild.build(b)));
  console.log(`esbuild: ${tests ? 'tests → out/' : 'extension + webviews → dist/'} in ${Date.now() - t0} ms (${relative(process.cwd(), root) || '.'})`);
}
