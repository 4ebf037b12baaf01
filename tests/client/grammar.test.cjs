// The TextMate grammar (client/syntaxes/ann.tmLanguage.json) tokenised with VS Code's own engine
// (vscode-textmate + the Oniguruma regex library), and the language configuration and snippets.
const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const root = path.join(__dirname, '..', '..');
let grammar;

before(async () => {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: p => new oniguruma.OnigScanner(p), createOnigString: s => new oniguruma.OnigString(s) }),
    loadGrammar: async scope => scope === 'source.ann'
      ? vsctm.parseRawGrammar(fs.readFileSync(path.join(root, 'client/syntaxes/ann.tmLanguage.json'), 'utf8'), 'ann.tmLanguage.json')
      : null,
  });
  grammar = await registry.loadGrammar('source.ann');
});

/** [text, innermost scope] for each token of each line. */
function tokenize(src) {
  let state = vsctm.INITIAL;
  const out = [];
  for (const line of src.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      if (text.trim()) out.push([text, t.scopes[t.scopes.length - 1]]);
    }
    state = r.ruleStack;
  }
  return out;
}
const scopeOf = (toks, text) => toks.find(([t]) => t === text)?.[1];

test('declarations: keywords and declared names', () => {
  const t = tokenize('network LeNet5 {\n}\nblock ConvBlock(filters) {\n}\ngan G {\n}\ntrain LeNet5 as quick {\n}');
  assert.equal(scopeOf(t, 'network'), 'storage.type.network.ann');
  assert.equal(scopeOf(t, 'LeNet5'), 'entity.name.type.ann');
  assert.equal(scopeOf(t, 'block'), 'storage.type.block.ann');
  assert.equal(scopeOf(t, 'ConvBlock'), 'entity.name.function.ann');
  assert.equal(scopeOf(t, 'gan'), 'storage.type.gan.ann');
  assert.equal(scopeOf(t, 'train'), 'keyword.other.train.ann');
  assert.equal(scopeOf(t, 'as'), 'keyword.other.as.ann');
  assert.equal(scopeOf(t, 'quick'), 'entity.name.function.ann');
});

test('layers, shapes, numbers, arguments, arrows, comments, strings', () => {
  const t = tokenize([
    '    input(1x28x28)   # channels x height x width',
    '    conv(6, kernel: 5x5, padding: same, bias: false) -> relu',
    '    dense(128 * 7 * 7) -> leakyrelu(0.2)',
    '    residual {',
    '    optimizer: adam(lr: 2e-4, beta1: 0.5)',
    '    data: images("dir/with \\"quotes\\"", size: 28x28)',
  ].join('\n'));
  assert.equal(scopeOf(t, 'input'), 'support.function.layer.ann');
  assert.equal(scopeOf(t, '1x28x28'), 'constant.numeric.shape.ann', 'a shape literal is one token');
  assert.equal(scopeOf(t, '5x5'), 'constant.numeric.shape.ann');
  assert.equal(scopeOf(t, '#'), 'punctuation.definition.comment.ann');
  assert.ok(t.some(([x, sc]) => x.includes('channels x height') && sc === 'comment.line.number-sign.ann'), 'the rest of the line is a comment');
  assert.equal(scopeOf(t, 'kernel'), 'variable.parameter.ann');
  assert.equal(scopeOf(t, '->'), 'keyword.operator.arrow.ann');
  assert.equal(scopeOf(t, 'relu'), 'support.function.layer.ann');
  assert.equal(scopeOf(t, 'false'), 'constant.language.boolean.ann');
  assert.equal(scopeOf(t, '128'), 'constant.numeric.ann');
  assert.equal(scopeOf(t, '*'), 'keyword.operator.arithmetic.ann');
  assert.equal(scopeOf(t, '0.2'), 'constant.numeric.ann');
  assert.equal(scopeOf(t, '2e-4'), 'constant.numeric.ann', 'exponent numbers are one token');
  assert.equal(scopeOf(t, 'residual'), 'keyword.control.ann');
  assert.equal(scopeOf(t, 'adam'), 'entity.name.function.call.ann');
  assert.equal(scopeOf(t, '\\"'), 'constant.character.escape.ann');
  assert.ok(t.some(([x, s]) => x.includes('dir/with') && s === 'string.quoted.double.ann'));
  assert.equal(scopeOf(t, 'same'), 'variable.other.ann', 'enum words are plain identifiers');
});

test('an unterminated string ends at the line end', () => {
  const t = tokenize('data: images("oops\nnetwork N {');
  assert.equal(scopeOf(t, 'network'), 'storage.type.network.ann');
});

test('language configuration and snippets are valid and complete', () => {
  const conf = JSON.parse(fs.readFileSync(path.join(root, 'client/language-configuration.json'), 'utf8'));
  assert.equal(conf.comments.lineComment, '#');
  assert.deepEqual(conf.brackets, [['{', '}'], ['(', ')']]);
  assert.ok(new RegExp(conf.indentationRules.increaseIndentPattern).test('network LeNet5 {'));
  assert.ok(new RegExp(conf.indentationRules.increaseIndentPattern).test('train X {   # comment'));
  assert.ok(!new RegExp(conf.indentationRules.increaseIndentPattern).test('    conv(6) # not { here'), 'a brace in a comment does not indent');
  assert.ok(new RegExp(conf.indentationRules.decreaseIndentPattern).test('  }'));
  const wordRe = new RegExp(conf.wordPattern, 'g');
  assert.deepEqual('input(1x28x28) dense_1'.match(wordRe), ['input', '1x28x28', 'dense_1']);
  const snippets = JSON.parse(fs.readFileSync(path.join(root, 'client/snippets/ann.code-snippets'), 'utf8'));
  for (const k of ['network', 'gan', 'train', 'block']) assert.ok(snippets[k]?.body?.length, `snippet ${k}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  for (const p of [manifest.icon, ...manifest.contributes.grammars.map(g => g.path), ...manifest.contributes.snippets.map(s => s.path), manifest.contributes.languages[0].configuration]) {
    assert.ok(fs.existsSync(path.join(root, p)), `${p} exists`);
  }
  assert.ok(manifest.activationEvents.includes('onLanguage:ann'));
  const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const [key, def] of Object.entries(manifest.contributes.configuration.properties)) {
    if (/path|Folder/.test(key)) {
      assert.equal(def.scope, 'machine', `${key} is machine-scoped`);
      assert.ok(restricted.includes(key), `${key} is a restricted configuration`);
    }
  }
});

test('graphs: as NAME, the merges concat/add, a shortcut and the denoiser\'s time', () => {
  const t = tokenize([
    '    conv(32, kernel: 3) as e1',
    '    residual(shortcut: conv(64, kernel: 1)) {',
    '        add(time -> dense(64))',
    '    }',
    '    upsample(2) -> concat(e1)',
  ].join('\n'));
  assert.equal(scopeOf(t, 'as'), 'keyword.other.as.ann');
  assert.equal(scopeOf(t, 'concat'), 'support.function.merge.ann');
  assert.equal(scopeOf(t, 'add'), 'support.function.merge.ann');
  assert.equal(scopeOf(t, 'time'), 'variable.language.time.ann');
  assert.equal(scopeOf(t, 'shortcut'), 'variable.parameter.ann');
  assert.equal(scopeOf(t, 'residual'), 'keyword.control.ann');
});
