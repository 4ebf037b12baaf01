// Runs inside the network view webview: shows the SVG the extension drew, jumps to a layer's
// line on click, and exports SVG or PNG (rasterised here on a canvas, saved by the extension).
declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
let current: { svg: string; name: string; error?: string } | undefined;

function render(): void {
  if (!current) { app.innerHTML = '<p class="muted">Loading…</p>'; return; }
  if (current.error) { app.innerHTML = `<p class="error" id="error"></p>`; (document.getElementById('error') as HTMLElement).textContent = current.error; return; }
  app.innerHTML = `<div class="toolbar"><button id="export-svg">Export SVG</button><button id="export-png">Export PNG</button><button id="refresh">Refresh</button></div><div id="drawing" class="drawing">${current.svg}</div>`;
  document.getElementById('export-svg')?.addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'svg' }));
  document.getElementById('export-png')?.addEventListener('click', () => void exportPng());
  document.getElementById('refresh')?.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  document.querySelectorAll<SVGGElement>('#drawing g.layer[data-line]').forEach(g => {
    g.addEventListener('click', () => vscode.postMessage({ type: 'reveal', line: Number(g.dataset.line) }));
  });
}

async function exportPng(): Promise<void> {
  const svgEl = document.querySelector('#drawing svg') as SVGSVGElement | null;
  if (!svgEl || !current) return;
  const w = Number(svgEl.getAttribute('width')), h = Number(svgEl.getAttribute('height'));
  const img = new Image();
  const blob = new Blob([current.svg], { type: 'image/svg+xml' });
  const url = URL.createObjectURL(blob);
  try {
    await new Promise<void>((res, rej) => { img.onload = () => res(); img.onerror = () => rej(new Error('could not rasterise the drawing')); img.src = url; });
    const scale = 2, canvas = document.createElement('canvas');
    canvas.width = w * scale; canvas.height = h * scale;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(scale, scale); ctx.drawImage(img, 0, 0);
    vscode.postMessage({ type: 'export', format: 'png', data: canvas.toDataURL('image/png') });
  } catch (e) {
    vscode.postMessage({ type: 'error', message: String(e) });
  } finally {
    URL.revokeObjectURL(url);
  }
}

window.addEventListener('message', ev => {
  const m = ev.data as { type?: string; svg?: string; name?: string; error?: string };
  if (m?.type === 'graph') { current = { svg: m.svg ?? '', name: m.name ?? '', error: m.error }; vscode.setState(current); render(); }
});
current = vscode.getState() as typeof current;
render();
vscode.postMessage({ type: 'ready' });
