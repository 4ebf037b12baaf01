// Runs inside the run preview webview: draws the state the extension posts (sample grid with an
// epoch slider, charts, configuration). No network, no libraries; CSP allows only this script.
import type { PreviewView } from '../training/previewView';
import { esc } from './svg';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
let view: PreviewView | undefined;
let selected: number | undefined; // index into view.samples; undefined = follow the latest

function sampleSection(v: PreviewView): string {
  if (!v.samples.length) {
    return `<section id="samples" class="samples empty"><p class="muted">${v.status === 'running' || v.status === 'starting' ? 'The first sample grid appears after the first epoch.' : 'This run has no sample images.'}</p></section>`;
  }
  const idx = selected === undefined ? v.samples.length - 1 : Math.min(selected, v.samples.length - 1);
  const s = v.samples[idx];
  return `<section id="samples" class="samples">
  <div class="sample-head"><span id="epoch-label">epoch ${s.epoch}</span>
  <input id="epoch-slider" type="range" min="0" max="${v.samples.length - 1}" value="${idx}" step="1" aria-label="epoch"${v.samples.length < 2 ? ' disabled' : ''}>
  <span class="muted">${v.samples.length} epoch${v.samples.length === 1 ? '' : 's'}</span></div>
  <img class="sample-grid" src="${esc(s.src)}" alt="samples after epoch ${s.epoch}" data-epoch="${s.epoch}">
  ${v.classes?.length ? `<p id="classes" class="muted legend">Test images framed green (right) or red (wrong), predicted class in the corner: ${v.classes.map((c, i) => `<b>${i}</b> ${esc(c)}`).join(' · ')}</p>` : ''}
</section>`;
}

function render(): void {
  const v = view;
  if (!v) { app.innerHTML = '<p class="muted">Waiting for a training run…</p>'; return; }
  app.innerHTML = `
<header>
  <h1>${esc(v.target)}</h1>
  <div id="status" class="status status-${esc(v.status)}" data-status="${esc(v.status)}">${esc(v.headline)}</div>
  ${v.device ? `<div class="device">device: <code id="device">${esc(v.device)}</code></div>` : ''}
  ${v.message ? `<pre id="message" class="message">${esc(v.message)}</pre>` : ''}
</header>
<div class="grid">
  ${sampleSection(v)}
  <section id="charts" class="charts">${v.charts.length ? v.charts.map(c => `<div class="chart-box">${c.svg}</div>`).join('') : '<p class="muted">Curves appear with the first loss values.</p>'}</section>
</div>
<details id="config" class="config"${v.config.length ? ' open' : ''}>
  <summary>Configuration</summary>
  ${v.config.length ? `<table>${v.config.map(r => `<tr><th>${esc(r.key)}</th><td>${esc(r.value)}</td></tr>`).join('')}</table>` : '<p class="muted">run.json not written yet.</p>'}
  <p class="muted run-dir">${esc(v.runDir)}</p>
</details>`;
  const slider = document.getElementById('epoch-slider') as HTMLInputElement | null;
  slider?.addEventListener('input', () => {
    const i = Number(slider.value);
    selected = i >= (view?.samples.length ?? 0) - 1 ? undefined : i;
    render();
    (document.getElementById('epoch-slider') as HTMLInputElement | null)?.focus();
  });
}

window.addEventListener('message', ev => {
  const m = ev.data as { type?: string; view?: PreviewView };
  if (m?.type === 'state' && m.view) {
    view = m.view;
    vscode.setState({ view });
    render();
  }
});

const saved = vscode.getState() as { view?: PreviewView } | undefined;
view = saved?.view;
render();
vscode.postMessage({ type: 'ready' });
