// Webview HTML (CSP), curve charts and the network drawing: pure renderers of client/src.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { shellHtml, contentSecurityPolicy, makeNonce } = require('../../out/client/src/webview/html.js');
const { chartSvg, ticks } = require('../../out/client/src/webview/curves.js');
const { asGraph, graphSvg } = require('../../out/client/src/network/graph.js');
const { previewView } = require('../../out/client/src/training/previewView.js');
const { configRows } = require('../../out/client/src/training/runFolder.js');
const { emptyRun, reduceAll } = require('../../out/client/src/training/previewState.js');

test('the webview shell has a strict CSP with a nonce on its only script', () => {
  const nonce = makeNonce(n => new Uint8Array(n).fill(7));
  assert.match(nonce, /^[A-Za-z0-9]+$/);
  const html = shellHtml({ cspSource: 'https://x.vscode-cdn.net', nonce, scriptUri: 'https://x/p.js', styleUri: 'https://x/s.css', title: '<t>' });
  const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)[1];
  assert.equal(csp, contentSecurityPolicy('https://x.vscode-cdn.net', nonce));
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'`));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  const scripts = html.match(/<script[^>]*>/g);
  assert.equal(scripts.length, 1);
  assert.match(scripts[0], new RegExp(`nonce="${nonce}"`));
  assert.match(html, /<title>&lt;t&gt;<\/title>/, 'the title is escaped');
});

test('ticks are round numbers covering the range', () => {
  assert.deepEqual(ticks(0, 1), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(ticks(0.3, 0.9, 3), [0.4, 0.6, 0.8]);
  assert.deepEqual(ticks(5, 5), [5]);
});

test('chartSvg: one path per series, a dot per epoch point, escaped names, empty state', () => {
  const svg = chartSvg([
    { name: 'loss', steps: [{ x: 0.5, y: 2 }, { x: 1, y: 1.5 }], epochs: [{ x: 1, y: 1.4 }, { x: 2, y: 0.9 }] },
    { name: '<acc>', epochs: [{ x: 1, y: 0.5 }] },
  ], { title: 'Loss' });
  assert.equal((svg.match(/class="series-steps"/g) ?? []).length, 1);
  assert.equal((svg.match(/class="series-epochs"/g) ?? []).length, 1);
  assert.equal((svg.match(/<circle/g) ?? []).length, 3);
  assert.match(svg, /&lt;acc&gt;/);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  assert.match(chartSvg([]), /waiting for the first values/);
});

test('previewView: charts, samples mapped to webview URIs, headline', () => {
  let s = emptyRun('u', 'G', '/w/runs/G/1');
  s = reduceAll(s, [{ event: 'started', epochs: 2, device: 'cuda:0' }, { event: 'epoch', epoch: 1, loss_g: 1, loss_d: 0.5 }, { event: 'sample', epoch: 1, path: '/w/runs/G/1/samples/epoch-001.png' }]);
  const v = previewView(s, p => `vscode-resource:${p}`, configRows({ batch: 64, optimizer: { name: 'adam', lr: 0.001 } }));
  assert.equal(v.headline, 'training · epoch 1 of 2');
  assert.deepEqual(v.samples, [{ epoch: 1, src: 'vscode-resource:/w/runs/G/1/samples/epoch-001.png' }]);
  assert.equal(v.charts.length, 1);
  assert.equal(v.device, 'cuda:0');
  assert.deepEqual(v.config, [{ key: 'batch', value: '64' }, { key: 'optimizer.name', value: 'adam' }, { key: 'optimizer.lr', value: '0.001' }]);
});

test('previewView: a diffusion run\'s trajectory strip goes beside its grid', () => {
  let s = emptyRun('u', 'D', '/w/runs/D/1');
  s = reduceAll(s, [{ event: 'started', epochs: 1, kind: 'diffusion' }, { event: 'sample', epoch: 1, path: '/w/runs/D/1/samples/epoch-001.png', trajectory: '/w/runs/D/1/samples/trajectory-001.png' }]);
  const v = previewView(s, p => `vscode-resource:${p}`, []);
  assert.deepEqual(v.samples, [{ epoch: 1, src: 'vscode-resource:/w/runs/D/1/samples/epoch-001.png', trajectory: 'vscode-resource:/w/runs/D/1/samples/trajectory-001.png' }]);
});

const lenet = {
  name: 'LeNet5', input: [1, 28, 28], params: 61706, macs: 429000,
  layers: [
    { kind: 'conv', category: 'convolution', output: [6, 28, 28], params: 156, macs: 117600, line: 3 },
    { kind: 'relu', category: 'activation', output: [6, 28, 28], params: 0, macs: 0, line: 4 },
    { kind: 'flatten', category: 'reshaping', output: [4704], params: 0, macs: 0, line: 5 },
    { kind: 'dense', category: 'dense', output: [10], params: 47050, macs: 47040, line: 6 },
  ],
};

test('asGraph validates the server answer', () => {
  assert.equal(asGraph(null), undefined);
  assert.equal(asGraph({ name: 'x' }), undefined);
  const g = asGraph(lenet);
  assert.equal(g.layers.length, 4);
  assert.equal(g.params, 61706);
  const gan = asGraph({ name: 'GAN', generator: lenet, discriminator: { ...lenet, name: 'D' } });
  assert.equal(gan.params, 2 * 61706);
});

test('graphSvg: a box per layer plus the input, shapes and clickable lines', () => {
  const svg = graphSvg(asGraph(lenet));
  assert.equal((svg.match(/<g class="layer"/g) ?? []).length, 5);
  assert.match(svg, /6×28×28/);
  assert.match(svg, /4704/);
  assert.match(svg, /data-line="6"/);
  assert.match(svg, /61\.7k params/);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, 'a standalone SVG document for export');
  // widths grow with the tensor size
  const widths = [...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="([^"]+)"/g)].map(m => Number(m[1]));
  assert.ok(widths[1] > widths[4], 'conv 6×28×28 is drawn wider than dense 10');
  const ganSvg = graphSvg(asGraph({ name: 'GAN', generator: { ...lenet, name: 'G' }, discriminator: { ...lenet, name: 'D' } }));
  assert.match(ganSvg, /generator → discriminator/);
  assert.equal((ganSvg.match(/<g class="layer"/g) ?? []).length, 10);
});

test('boxes are coloured by the category the server sends, not by the layer name', () => {
  const { layerColor, CATEGORY_COLOURS } = require('../../out/client/src/network/graph.js');
  const g = asGraph({ name: 'N', input: [3, 8, 8], layers: [
    { kind: 'silu', category: 'activation', output: [3, 8, 8] },
    { kind: 'convlike', category: 'pooling', output: [3, 4, 4] },
    { kind: 'residual', category: 'residual', output: [3, 4, 4] },
  ] });
  assert.equal(g.layers[0].category, 'activation');
  const strokes = [...graphSvg(g).matchAll(/<rect [^>]*stroke="([^"]+)"/g)].map(m => m[1]);
  assert.deepEqual(strokes, [CATEGORY_COLOURS.input, CATEGORY_COLOURS.activation, CATEGORY_COLOURS.pooling, '#ec407a']);
  assert.equal(layerColor(undefined), '#ec407a');
  assert.equal(layerColor('constructor'), '#ec407a', 'only the table\'s own keys');
});

test('graphSvg draws the input once when the server lists it as a layer', () => {
  const withInput = { ...lenet, layers: [{ kind: 'input', output: [1, 28, 28], params: 0, macs: 0, line: 2 }, ...lenet.layers] };
  assert.equal((graphSvg(asGraph(withInput)).match(/<g class="layer"/g) ?? []).length, 5);
});

// the server's graph of a residual network (as annlsp.networkGraph sends it for examples/vgg.ann, shortened):
// the join reads its body's output and, as a skip, the residual's input
const residualNet = {
  name: 'Res', input: [8, 7, 7], params: 600, macs: 29400,
  layers: [{ kind: 'residual', category: 'residual', output: [8, 7, 7] }, { kind: 'flatten', category: 'reshaping', output: [392] }],
  nodes: [
    { id: 0, kind: 'input', category: 'input', label: 'input', inputs: [], output: [8, 7, 7], line: 0, key: '' },
    { id: 1, kind: 'conv', category: 'convolution', label: 'conv(8, 3)', inputs: [0], output: [8, 7, 7], params: 584, macs: 28224, line: 3, key: 'layers.0.body.0' },
    { id: 2, kind: 'batchnorm', category: 'normalization', label: 'batchnorm', inputs: [1], output: [8, 7, 7], params: 16, macs: 1176, line: 3, key: 'layers.0.body.1' },
    { id: 3, kind: 'add', category: 'residual', label: 'residual', inputs: [2, 0], output: [8, 7, 7], params: 0, macs: 0, line: 2, key: 'layers.0' },
    { id: 4, kind: 'flatten', category: 'reshaping', label: 'flatten', inputs: [3], output: [392], params: 0, macs: 0, line: 5, key: 'layers.1' },
  ],
};

test('graphSvg draws the graph nodes and a residual\'s skip as an arc from its input to its join', () => {
  const g = asGraph(residualNet);
  assert.equal(g.isGraph, true);
  assert.deepEqual(g.layers.map(l => l.kind), ['input', 'conv', 'batchnorm', 'add', 'flatten'], 'the nodes, not the nested layers');
  assert.deepEqual(g.layers[3].inputs, [2, 0]);
  const svg = graphSvg(g);
  assert.equal((svg.match(/<g class="layer"/g) ?? []).length, 5);
  const skips = [...svg.matchAll(/<g class="skip" data-from="(\d+)" data-to="(\d+)"/g)].map(m => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(skips, [[0, 3]]);
  assert.match(svg, /<title>input \(8×7×7\) → residual<\/title>/);
  assert.equal((svg.match(/<line /g) ?? []).length, 4, 'the main line: every node reads the one above it');
  assert.match(svg, /layers\.0\.body\.0/, 'a box\'s tooltip names its module key');
  // the arcs widen the drawing; a stack without skips keeps today's width
  const width = s => Number(/width="(\d+(?:\.\d+)?)"/.exec(s)[1]);
  assert.ok(width(svg) > width(graphSvg(asGraph(lenet))));
  assert.equal(width(graphSvg(asGraph(lenet))), 380);
});

test('named tensors: the box says "as NAME", each use is an arc, nested arcs get their own lanes', () => {
  const { skipArcs } = require('../../out/client/src/network/graph.js');
  // a U-Net shape: e1, e2, e3 defined going down, used by concats going up (innermost shortest)
  const node = (id, kind, inputs, extra = {}) => ({ id, kind, category: kind === 'concat' ? 'merge' : 'convolution', label: kind, inputs, output: [4, 8, 8], line: id, ...extra });
  const unet = {
    name: 'U', input: [1, 8, 8],
    nodes: [
      node(0, 'input', []), node(1, 'conv', [0], { name: 'e1' }), node(2, 'conv', [1], { name: 'e2' }), node(3, 'conv', [2], { name: 'e3' }),
      node(4, 'conv', [3]), node(5, 'concat', [4, 3]), node(6, 'conv', [5]), node(7, 'concat', [6, 2]), node(8, 'conv', [7]), node(9, 'concat', [8, 1]),
      node(10, 'conv', [9]), node(11, 'add', [10, 10]), node(12, 'conv', [11, 99]),
    ],
  };
  const g = asGraph(unet);
  assert.deepEqual(g.layers[12].inputs, [11], 'an input that is not an earlier node is dropped');
  assert.deepEqual(skipArcs(g.layers), [{ from: 3, to: 5, lane: 0 }, { from: 2, to: 7, lane: 1 }, { from: 1, to: 9, lane: 2 }, { from: 10, to: 11, lane: 0 }]);
  const svg = graphSvg(g);
  assert.match(svg, />conv<tspan class="tensor-name"[^>]*> as e1<\/tspan>/);
  assert.equal((svg.match(/class="tensor-name"/g) ?? []).length, 3);
  assert.equal((svg.match(/<g class="skip"/g) ?? []).length, 4);
  assert.match(svg, /<g class="skip" data-from="1" data-to="9" data-name="e1"><title>e1 \(4×8×8\) → concat<\/title>/);
  // a server answer without nodes is drawn as a stack, without arcs
  assert.equal(skipArcs(asGraph(lenet).layers).length, 0);
  assert.doesNotMatch(graphSvg(asGraph(lenet)), /class="skip"/);
});

test('a gan is drawn from its two networks when the server draws networks only', async () => {
  const { fetchGraph, ganParts } = require('../../out/client/src/network/graph.js');
  const symbols = [
    { name: 'Generator', detail: 'network 16 → 1×28×28', children: [] },
    { name: 'ShapesGAN', detail: 'gan', children: [{ name: 'generator', detail: 'Generator' }, { name: 'discriminator', detail: 'Discriminator' }] },
  ];
  assert.deepEqual(ganParts(symbols, 'ShapesGAN'), { generator: 'Generator', discriminator: 'Discriminator' });
  assert.equal(ganParts(symbols, 'Generator'), undefined);
  const asked = [];
  const request = async n => { asked.push(n); if (n === 'ShapesGAN') throw new Error("no checked network named 'ShapesGAN'"); return { ...lenet, name: n }; };
  const g = await fetchGraph('ShapesGAN', request, async () => symbols);
  assert.deepEqual(asked.sort(), ['Discriminator', 'Generator', 'ShapesGAN']);
  assert.equal(g.generator.name, 'Generator');
  assert.equal(g.discriminator.name, 'Discriminator');
  assert.match(graphSvg(g), /ShapesGAN: generator → discriminator/);
  // a plain network is one request; an unknown name rethrows the server's error
  assert.equal((await fetchGraph('LeNet5', async () => lenet, async () => [])).name, 'LeNet5');
  await assert.rejects(fetchGraph('Nope', async () => { throw new Error('no checked network'); }, async () => symbols), /no checked network/);
});

test('a classifier preview names its classes; a GAN preview does not', () => {
  const { classNames } = require('../../out/client/src/training/previewView.js');
  const config = { data: { name: 'shapes', classes: ['circle', 'square', 'triangle', 'cross'] } };
  assert.deepEqual(classNames(config), ['circle', 'square', 'triangle', 'cross']);
  assert.equal(classNames({ data: { classes: [1, 2] } }), undefined);
  assert.equal(classNames(undefined), undefined);
  const cls = reduceAll(emptyRun('u', 'Net', '/w/r'), [{ event: 'started', kind: 'classifier' }]);
  assert.deepEqual(previewView(cls, p => p, [], classNames(config)).classes, ['circle', 'square', 'triangle', 'cross']);
  const gan = reduceAll(emptyRun('u', 'G', '/w/r'), [{ event: 'started', kind: 'gan' }]);
  assert.equal(previewView(gan, p => p, [], classNames(config)).classes, undefined);
});

test('previewView: the scoring line names the latest scores and the reference classifier behind them', () => {
  const { scoringLine } = require('../../out/client/src/training/previewView.js');
  let s = reduceAll(emptyRun('u', 'G', '/w/r'), [{ event: 'started', kind: 'gan', epochs: 2 }, { event: 'reference', status: 'training', data: 'fashion_mnist' }]);
  assert.equal(scoringLine(s), 'training the reference classifier of fashion_mnist to score the samples (first use; cached afterwards)…');
  s = reduceAll(s, [{ event: 'reference', status: 'ready', data: 'fashion_mnist', accuracy: 0.912, fd_real: 1.234 }]);
  assert.equal(scoringLine(s), 'samples are scored after each epoch — real vs real FD 1.2; reference classifier of fashion_mnist: 91.2% test accuracy');
  s = reduceAll(s, [{ event: 'epoch', epoch: 1, fd: 40.04, confident: 0.5, coverage: 7, classes: 10 }]);
  assert.equal(previewView(s, p => p).scoring, 'FD 40.0 · 50% confident · 7/10 classes — real vs real FD 1.2; reference classifier of fashion_mnist: 91.2% test accuracy');
  const failed = reduceAll(emptyRun('u', 'G', '/w/r'), [{ event: 'reference', status: 'failed', reason: 'cifar10: data_batch_1.bin not found' }]);
  assert.equal(scoringLine(failed), 'no sample scores: cifar10: data_batch_1.bin not found');
  assert.equal(scoringLine(emptyRun('u', 'C', '/w/r')), undefined);
});
