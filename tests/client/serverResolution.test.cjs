// Where the language server is taken from (client/src/serverResolution.ts).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { resolveServer, dotnetCandidates } = require('../../out/client/src/serverResolution.js');

function input(files, over = {}) {
  const set = new Set(files);
  return { extensionPath: '/ext', env: { PATH: '/usr/local/bin:/usr/bin' }, platform: 'linux', homedir: '/home/u', fileExists: p => set.has(p), ...over };
}

test('the setting wins: an executable runs directly with lsp', () => {
  const r = resolveServer(input(['/opt/annlsp/annlsp', '/ext/dist/server/annlsp.dll', '/usr/bin/dotnet'], { serverPath: '/opt/annlsp/annlsp' }));
  assert.deepEqual({ ok: r.ok, command: r.command, args: r.args, source: r.source }, { ok: true, command: '/opt/annlsp/annlsp', args: ['lsp'], source: 'setting' });
});

test('a dll in the setting runs with dotnet; ~ is expanded', () => {
  const r = resolveServer(input(['/home/u/annlsp/annlsp.dll', '/usr/bin/dotnet'], { serverPath: '~/annlsp/annlsp.dll' }));
  assert.equal(r.ok, true);
  assert.equal(r.command, '/usr/bin/dotnet');
  assert.deepEqual(r.args, ['/home/u/annlsp/annlsp.dll', 'lsp']);
});

test('a setting naming a missing file is an error, not a silent fallback', () => {
  const r = resolveServer(input(['/ext/dist/server/annlsp.dll', '/usr/bin/dotnet'], { serverPath: '/nope/annlsp' }));
  assert.equal(r.ok, false);
  assert.equal(r.problem, 'setting-missing');
  assert.match(r.message, /\/nope\/annlsp/);
});

test('the bundled server runs with the dotnet found on PATH', () => {
  const r = resolveServer(input(['/ext/dist/server/annlsp.dll', '/usr/bin/dotnet']));
  assert.equal(r.ok, true);
  assert.equal(r.source, 'bundled');
  assert.equal(r.command, '/usr/bin/dotnet');
  assert.deepEqual(r.args, ['/ext/dist/server/annlsp.dll', 'lsp']);
});

test('dotnet lookup order: setting, DOTNET_ROOT, PATH, usual folders, ~/.dotnet', () => {
  const c = dotnetCandidates({ dotnetPath: '/my/dotnet', env: { DOTNET_ROOT: '/root-dn', PATH: '/a:/b' }, platform: 'linux', homedir: '/home/u' });
  assert.deepEqual(c.slice(0, 4), ['/my/dotnet', '/root-dn/dotnet', '/a/dotnet', '/b/dotnet']);
  assert.ok(c.includes('/usr/share/dotnet/dotnet'));
  assert.equal(c[c.length - 1], '/home/u/.dotnet/dotnet');
  const r = resolveServer(input(['/ext/dist/server/annlsp.dll', '/usr/bin/dotnet', '/root-dn/dotnet'], { env: { DOTNET_ROOT: '/root-dn', PATH: '/usr/bin' } }));
  assert.equal(r.command, '/root-dn/dotnet');
  const w = dotnetCandidates({ env: { Path: 'C:\\x' }, platform: 'win32', homedir: 'C:\\Users\\u' });
  assert.equal(w[0], 'C:\\x\\dotnet.exe');
});

test('no dotnet: a clear message and a fix that names the runtime to install', () => {
  const r = resolveServer(input(['/ext/dist/server/annlsp.dll'], { env: {} }));
  assert.equal(r.ok, false);
  assert.equal(r.problem, 'no-dotnet');
  assert.match(r.message, /\.NET 10 runtime/);
  assert.match(r.fix, /dotnet-runtime-10\.0/);
  assert.match(r.fix, /annlsp\.dotnet\.path/);
});

test('a development build in the repository is used when nothing is bundled', () => {
  const r = resolveServer(input(['/ext/server/Annlsp.Cli/bin/Debug/net10.0/annlsp.dll', '/usr/bin/dotnet']));
  assert.equal(r.ok, true);
  assert.equal(r.source, 'development');
});

test('nothing at all: no-server', () => {
  const r = resolveServer(input(['/usr/bin/dotnet']));
  assert.equal(r.ok, false);
  assert.equal(r.problem, 'no-server');
});

test('training settings become the environment the trainer reads', () => {
  const { trainingEnvironment } = require('../../out/client/src/serverResolution.js');
  assert.deepEqual(trainingEnvironment({ device: 'auto' }, '/usr/bin'), {});
  assert.deepEqual(trainingEnvironment({ device: 'cuda:1', dataFolder: '/data/fm', libtorchPath: '/opt/torch/lib' }, '/usr/bin'),
    { ANNLSP_DEVICE: 'cuda:1', ANNLSP_FASHION_MNIST: '/data/fm', ANNLSP_LIBTORCH: '/opt/torch/lib' });
  assert.deepEqual(trainingEnvironment({ pythonPath: '/opt/venv/bin/python3' }, '/usr/bin'),
    { PATH: '/opt/venv/bin:/usr/bin', ANNLSP_LIBTORCH: 'python' }, 'a python path puts its folder first on PATH and asks for its PyTorch');
  assert.equal(trainingEnvironment({ pythonPath: '/v/bin/python3', libtorchPath: '/lt' }, '').ANNLSP_LIBTORCH, '/lt', 'an explicit LibTorch folder wins');
});
