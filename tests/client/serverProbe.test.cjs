// Can the Native AOT server run here, and what the client starts when it cannot (client/src/serverProbe.ts).
// The probe runs real processes: small Node LSP servers, files that cannot be executed.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { probeServer, runnableServer, rememberedProbe, probeKey } = require('../../out/client/src/serverProbe.js');
const { resolveServer } = require('../../out/client/src/serverResolution.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annlsp-probe-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

/** A Node script speaking the LSP base protocol; `answer(message)` returns the reply to write, or nothing. */
function lspScript(name, answerSource) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `
    const send = m => { const b = JSON.stringify({ jsonrpc: '2.0', ...m }); process.stdout.write('Content-Length: ' + Buffer.byteLength(b) + '\\r\\n\\r\\n' + b); };
    const answer = ${answerSource};
    let buf = Buffer.alloc(0);
    process.stdin.on('data', d => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\\r\\n\\r\\n'); if (end < 0) return;
        const len = Number(/Content-Length: (\\d+)/.exec(buf.subarray(0, end).toString())[1]);
        if (buf.length < end + 4 + len) return;
        const m = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString()); buf = buf.subarray(end + 4 + len);
        if (m.method === 'exit') process.exit(0);
        answer(m);
      }
    });`);
  return file;
}

const serverScript = lspScript('server.js', `m => {
  if (m.method === 'initialize') { send({ method: 'window/logMessage', params: { type: 3, message: 'starting' } }); send({ id: m.id, result: { capabilities: {}, serverInfo: { name: 'annlsp' } } }); }
  if (m.method === 'shutdown') { require('fs').writeFileSync(process.argv[2], 'shutdown'); send({ id: m.id, result: null }); }
}`);

test('a server that answers initialize can run; the probe then shuts it down', async () => {
  const marker = path.join(dir, 'shutdown-seen');
  const r = await probeServer(process.execPath, [serverScript, marker]);
  assert.deepEqual(r, { ok: true });
  for (let i = 0; i < 100 && !fs.existsSync(marker); i++) await new Promise(res => setTimeout(res, 20));
  assert.equal(fs.readFileSync(marker, 'utf8'), 'shutdown', 'the probe ended the server with shutdown + exit');
});

test('a binary the loader refuses (what an older glibc prints) exits before answering: the reason carries its message', async () => {
  const file = path.join(dir, 'glibc.js');
  fs.writeFileSync(file, "process.stderr.write(\"annlsp-server: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.99' not found\\n\"); process.exit(1);");
  const r = await probeServer(process.execPath, [file]);
  assert.equal(r.ok, false);
  assert.match(r.reason, /exited \(code 1\) before answering initialize: .*GLIBC_2\.99' not found/);
});

test('a file that is not an executable for this machine, one without the exec bit, one that is missing', async () => {
  const garbage = path.join(dir, 'other-arch');
  fs.writeFileSync(garbage, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]));
  fs.chmodSync(garbage, 0o755);
  const noExec = path.join(dir, 'no-exec');
  fs.copyFileSync(process.execPath, noExec);
  fs.chmodSync(noExec, 0o644);
  const cases = [[garbage, /could not be started \((ENOEXEC|EACCES)|exited/], [noExec, /could not be started \(EACCES/], [path.join(dir, 'missing'), /could not be started \(ENOENT/]];
  for (const [file, reason] of cases) {
    const r = await probeServer(file, []);
    assert.equal(r.ok, false, file);
    assert.match(r.reason, reason, file);
  }
});

test('initialize answered with an error, or not answered at all, is a server that cannot run', async () => {
  const failing = lspScript('failing.js', `m => { if (m.method === 'initialize') send({ id: m.id, error: { code: -32603, message: 'no handler for LSP records' } }); }`);
  const r = await probeServer(process.execPath, [failing]);
  assert.deepEqual(r, { ok: false, reason: 'it answered initialize with an error (no handler for LSP records)' });
  const silent = lspScript('silent.js', `m => {}`);
  const s = await probeServer(process.execPath, [silent], { timeoutMs: 300 });
  assert.deepEqual(s, { ok: false, reason: 'it did not answer initialize within 0.3 s' });
});

const PACKAGED = ['/ext/dist/server/aot/annlsp-server', '/ext/dist/server/annlsp.dll', '/usr/bin/dotnet'];
const resolved = (files = PACKAGED, env = { PATH: '/usr/bin' }) => resolveServer({ extensionPath: '/ext', env, platform: 'linux', arch: 'x64', homedir: '/h', fileExists: p => files.includes(p) });

test('the AOT server is started when it runs here, and nothing is said', async () => {
  const probed = [];
  const { server, log } = await runnableServer(resolved(), async s => { probed.push(s.command); return { ok: true }; });
  assert.deepEqual(probed, ['/ext/dist/server/aot/annlsp-server']);
  assert.equal(server.runtime, 'aot');
  assert.deepEqual(log, []);
});

test('an AOT server that cannot run: the JIT server instead, and the output channel says why', async () => {
  const { server, log } = await runnableServer(resolved(), async () => ({ ok: false, reason: 'it could not be started (EACCES: spawn EACCES)' }));
  assert.equal(server.ok, true);
  assert.deepEqual({ command: server.command, args: server.args, runtime: server.runtime }, { command: '/usr/bin/dotnet', args: ['/ext/dist/server/annlsp.dll', 'lsp'], runtime: 'jit' });
  assert.deepEqual(log, ['The Native AOT server (/ext/dist/server/aot/annlsp-server) cannot run here: it could not be started (EACCES: spawn EACCES). '
    + 'Falling back to the JIT server (/usr/bin/dotnet /ext/dist/server/annlsp.dll lsp), which starts slower.']);
});

test('the real probe on a binary that cannot run here falls back to the JIT server', async () => {
  const ext = path.join(dir, 'ext');
  fs.mkdirSync(path.join(ext, 'dist', 'server', 'aot'), { recursive: true });
  const aot = path.join(ext, 'dist', 'server', 'aot', 'annlsp-server');
  fs.writeFileSync(aot, 'not a program');
  fs.chmodSync(aot, 0o755);
  fs.writeFileSync(path.join(ext, 'dist', 'server', 'annlsp.dll'), '');
  const r = resolveServer({ extensionPath: ext, env: { PATH: path.dirname(process.execPath) }, platform: 'linux', arch: 'x64', homedir: '/h',
    fileExists: p => fs.existsSync(p) || p === path.join(path.dirname(process.execPath), 'dotnet') });
  assert.equal(r.runtime, 'aot');
  const { server, log } = await runnableServer(r, s => probeServer(s.command, s.args));
  assert.equal(server.runtime, 'jit');
  assert.match(log[0], /^The Native AOT server \(.*aot\/annlsp-server\) cannot run here: it (could not be started|exited).*Falling back to the JIT server/);
});

test('neither the AOT server nor its fallback: the fallback problem is reported', async () => {
  const { server, log } = await runnableServer(resolved(PACKAGED.slice(0, 2), {}), async () => ({ ok: false, reason: 'it exited (code 1) before answering initialize' }));
  assert.equal(server.ok, false);
  assert.equal(server.problem, 'no-dotnet');
  assert.match(log.join('\n'), /Training from the editor needs the \.NET 10 runtime/);
  assert.match(log.join('\n'), /cannot run here: it exited \(code 1\) before answering initialize\. Its fallback, the JIT server, cannot run either/);
});

/** A globalState stand-in: a Map behind get/update. */
function memory() {
  const m = new Map();
  return { map: m, get: k => m.get(k), update: async (k, v) => { if (v === undefined) m.delete(k); else m.set(k, v); } };
}

test('a probe that succeeded is remembered: the next activation starts the server without probing it', async () => {
  const mem = memory();
  let probes = 0;
  const probe = async () => { probes++; return probeServer(process.execPath, [serverScript, path.join(dir, 'remembered-shutdown')]); };
  const key = probeKey('/ext/dist/server/aot/annlsp-server', { size: 100, mtimeMs: 5 }, '6.1.0 #1 SMP');
  assert.deepEqual(await rememberedProbe(key, mem, probe), { ok: true });
  assert.deepEqual(await rememberedProbe(key, mem, probe), { ok: true, remembered: true });
  assert.equal(probes, 1);
});

test('a failed probe is not remembered, and a rebuilt binary or another system is probed again', async () => {
  const mem = memory();
  let probes = 0;
  const failing = async () => { probes++; return { ok: false, reason: 'it exited (code 1) before answering initialize' }; };
  const key = probeKey('/ext/aot/annlsp-server', { size: 100, mtimeMs: 5 }, 'linux 6.1');
  assert.equal((await rememberedProbe(key, mem, failing)).ok, false);
  assert.equal((await rememberedProbe(key, mem, failing)).ok, false);
  assert.equal(probes, 2);
  const ok = async () => { probes++; return { ok: true }; };
  await rememberedProbe(key, mem, ok);
  for (const other of [
    probeKey('/ext/aot/annlsp-server', { size: 101, mtimeMs: 5 }, 'linux 6.1'),
    probeKey('/ext/aot/annlsp-server', { size: 100, mtimeMs: 6 }, 'linux 6.1'),
    probeKey('/ext/aot/annlsp-server', { size: 100, mtimeMs: 5 }, 'linux 6.2'),
    undefined,
  ]) {
    const before = probes;
    assert.deepEqual(await rememberedProbe(other, mem, ok), { ok: true });
    assert.equal(probes, before + 1);
  }
});
