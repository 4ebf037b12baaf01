// Path checks that keep webviews and run folders inside the workspace (client/src/pathSafety.ts).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { isInside, resolveSamplePath, acceptRunDir, epochFromSampleName } = require('../../out/client/src/pathSafety.js');

test('isInside', () => {
  assert.equal(isInside('/w', '/w'), true);
  assert.equal(isInside('/w', '/w/runs/a'), true);
  assert.equal(isInside('/w', '/w/../etc'), false);
  assert.equal(isInside('/w', '/wx/a'), false, 'a sibling with a common prefix is outside');
  assert.equal(isInside('/w/runs', '/w/runs/../../x'), false);
  assert.equal(isInside('/w', '/w/..hidden/a'), true, 'a name starting with two dots is still inside');
  assert.equal(isInside('', '/w'), false);
  assert.equal(isInside('C:\\w', 'C:\\w\\runs', path.win32), true);
  assert.equal(isInside('C:\\w', 'D:\\w\\runs', path.win32), false);
});

test('resolveSamplePath: relative and absolute, PNG only, inside the run folder', () => {
  const run = '/w/runs/GAN/1';
  assert.equal(resolveSamplePath(run, 'samples/epoch-001.png'), '/w/runs/GAN/1/samples/epoch-001.png');
  assert.equal(resolveSamplePath(run, '/w/runs/GAN/1/samples/epoch-002.PNG'), '/w/runs/GAN/1/samples/epoch-002.PNG');
  assert.equal(resolveSamplePath(run, '../2/samples/epoch-001.png'), undefined, 'another run folder');
  assert.equal(resolveSamplePath(run, '/etc/x.png'), undefined);
  assert.equal(resolveSamplePath(run, 'samples/../../../../secret.png'), undefined);
  assert.equal(resolveSamplePath(run, 'samples/epoch-001.svg'), undefined, 'only PNG');
  assert.equal(resolveSamplePath(run, 'a\0b.png'), undefined);
  assert.equal(resolveSamplePath(run, ''), undefined);
  assert.equal(resolveSamplePath(run, 42), undefined);
});

test('acceptRunDir: inside a workspace folder, absolute, not the folder itself', () => {
  const roots = ['/w', '/other'];
  assert.equal(acceptRunDir(roots, '/w/runs/LeNet5/20260101-000000'), '/w/runs/LeNet5/20260101-000000');
  assert.equal(acceptRunDir(roots, '/other/x/../runs/a'), '/other/runs/a');
  assert.equal(acceptRunDir(roots, '/w'), undefined);
  assert.equal(acceptRunDir(roots, '/tmp/runs/a'), undefined);
  assert.equal(acceptRunDir(roots, 'runs/a'), undefined, 'relative paths are refused');
  assert.equal(acceptRunDir(roots, '/w/../etc'), undefined);
  assert.equal(acceptRunDir([], '/w/runs/a'), undefined, 'no workspace, no run folders');
  assert.equal(acceptRunDir(roots, undefined), undefined);
});

test('epochFromSampleName', () => {
  assert.equal(epochFromSampleName('samples/epoch-007.png'), 7);
  assert.equal(epochFromSampleName('/a/epoch_12.png'), 12);
  assert.equal(epochFromSampleName('grid.png'), undefined);
});
