// Where the language server is taken from (client/src/serverResolution.ts).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { resolveServer, dotnetCandidates } = require('../../out/client/src/serverResolution.js');

function input(files, over = {}) {
  const set = new Set(files);
  return { extensionPath: '/ext', env: { PATH: '/usr/local/bin:/usr/bin' }, platform: 'linux', arch: 'x64', homedir: '/home/u', fileExists: p => set.has(p), ...over };
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

test('the bundled JIT server runs with the dotnet found on PATH when there is no AOT server', () => {
  const r = resolveServer(input(['/ext/dist/server/annlsp.dll', '/usr/bin/dotnet']));
  assert.equal(r.ok, true);
  assert.equal(r.source, 'bundled');
  assert.equal(r.runtime, 'jit');
  assert.equal(r.command, '/usr/bin/dotnet');
  assert.deepEqual(r.args, ['/ext/dist/server/annlsp.dll', 'lsp']);
  assert.equal(r.fallback, undefined);
  assert.match(r.notes.join('\n'), /no Native AOT server \(\/ext\/dist\/server\/aot\/annlsp-server\): using the JIT server/);
});

const PACKAGED = ['/ext/dist/server/aot/annlsp-server', '/ext/dist/server/annlsp.dll', '/ext/dist/server/annlsp', '/usr/bin/dotnet'];

test('the bundled Native AOT server is preferred, with the JIT server as its fallback and the trainer run by dotnet', () => {
  const r = resolveServer(input(PACKAGED));
  assert.equal(r.ok, true);
  assert.deepEqual({ command: r.command, args: r.args, source: r.source, runtime: r.runtime }, { command: '/ext/dist/server/aot/annlsp-server', args: [], source: 'bundled', runtime: 'aot' });
  assert.deepEqual(r.trainerCommand, ['/usr/bin/dotnet', '/ext/dist/server/annlsp.dll'], 'the trainer is the framework-dependent CLI, run by the dotnet the JIT server would use');
  assert.equal(r.fallback.ok, true);
  assert.deepEqual({ command: r.fallback.command, args: r.fallback.args, runtime: r.fallback.runtime }, { command: '/usr/bin/dotnet', args: ['/ext/dist/server/annlsp.dll', 'lsp'], runtime: 'jit' });
  assert.deepEqual(r.notes, []);
});

test('without .NET the AOT server still starts; the note says training needs the runtime', () => {
  const r = resolveServer(input(PACKAGED.filter(f => f !== '/usr/bin/dotnet'), { env: {} }));
  assert.equal(r.ok, true);
  assert.equal(r.runtime, 'aot');
  assert.equal(r.fallback.ok, false);
  assert.equal(r.fallback.problem, 'no-dotnet');
  assert.deepEqual(r.trainerCommand, ['/ext/dist/server/annlsp'], 'the CLI apphost, which reports the missing runtime itself');
  assert.match(r.notes.join('\n'), /Training from the editor needs the \.NET 10 runtime.*dotnet-runtime-10\.0/);
});

test('on another platform or architecture the linux-x64 AOT server is skipped for the JIT server, with the reason', () => {
  for (const [platform, arch] of [['linux', 'arm64'], ['darwin', 'x64']]) {
    const r = resolveServer(input(PACKAGED, { platform, arch }));
    assert.equal(r.runtime, 'jit', `${platform}-${arch}`);
    assert.equal(r.command, '/usr/bin/dotnet');
    assert.match(r.notes.join('\n'), new RegExp(`built for linux-x64 and this is ${platform}-${arch}: using the JIT server`));
  }
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

test('an executable in the setting is taken as it is: no probe, no fallback', () => {
  const r = resolveServer(input([...PACKAGED, '/opt/annlsp-server'], { serverPath: '/opt/annlsp-server' }));
  assert.equal(r.runtime, 'executable');
  assert.equal(r.fallback, undefined);
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
