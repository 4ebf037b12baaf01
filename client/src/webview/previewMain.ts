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
  ${s.trajectory ? `<figure id="trajectory" class="trajectory"><img class="trajectory-strip" src="${esc(s.trajectory)}" alt="denoising trajectory after epoch ${s.epoch}" data-epoch="${s.epoch}"><figcaption class="muted">Denoising trajectory: each row one sample, from pure noise (left) to the image (right).</figcaption></figure>` : ''}
  ${v.classes?.length ? `<p id="classes" class="muted legend">Test images framed green (right) or red (wrong), predicted class in the corner: ${v.classes.map((c, i) => `<b>${i}</b> ${esc(c)}`).join(' · ')}</p>` : ''}
</section>`;
}

// Each part of the page is rebuilt only when its HTML changes: a state arrives every 200 ms during
// training, and the sample image, the slider being dragged or the open/closed configuration must
// not flicker or reset.
const last: Record<string, string> = {};

function put(id: string, html: string): boolean {
  if (last[id] === html) return false;
  (document.getElementById(id) as HTMLElement).innerHTML = html;
  last[id] = html;
  return true;
}

function render(): void {
  const v = view;
  if (!v) { app.innerHTML = '<p class="muted">Waiting for a training run…</p>'; for (const k of Object.keys(last)) delete last[k]; return; }
  if (!document.getElementById('header')) {
    for (const k of Object.keys(last)) delete last[k];
    app.innerHTML = `<header id="header"></header>
<div class="grid"><div id="samples-slot"></div><section id="charts" class="charts"></section></div>
<details id="config" class="config" open><summary>Configuration</summary><div id="config-body"></div></details>`;
  }
  put('header', `<h1>${esc(v.target)}</h1>
  <div id="status" class="status status-${esc(v.status)}" data-status="${esc(v.status)}">${esc(v.headline)}</div>
  ${v.device ? `<div class="device">device: <code id="device">${esc(v.device)}</code></div>` : ''}
  ${v.scoring ? `<div id="scoring" class="scoring">${esc(v.scoring)}</div>` : ''}
  ${v.message ? `<pre id="message" class="message">${esc(v.message)}</pre>` : ''}`);
  if (put('samples-slot', sampleSection(v))) wireSlider();
  put('charts', v.charts.length ? v.charts.map(c => `<div class="chart-box">${c.svg}</div>`).join('') : '<p class="muted">Curves appear with the first loss values.</p>');
  put('config-body', `${v.config.length ? `<table>${v.config.map(r => `<tr><th>${esc(r.key)}</th><td>${esc(r.value)}</td></tr>`).join('')}</table>` : '<p class="muted">run.json not written yet.</p>'}
  ${v.hasSource ? '<p class="source"><a id="open-source" href="#">Open source.ann</a> <span class="muted">— the exact text this run trained</span></p>' : ''}
  <p class="muted run-dir">${esc(v.runDir)}</p>`);
}

/** The slider changes the image and label in place (the element being dragged stays). */
function wireSlider(): void {
  const slider = document.getElementById('epoch-slider') as HTMLInputElement | null;
  slider?.addEventListener('input', () => {
    const v = view;
    if (!v) return;
    const i = Math.max(0, Math.min(v.samples.length - 1, Number(slider.value)));
    selected = i >= v.samples.length - 1 ? undefined : i;
    const s = v.samples[i];
    const img = document.querySelector('img.sample-grid') as HTMLImageElement | null;
    if (img) { img.src = s.src; img.alt = `samples after epoch ${s.epoch}`; img.dataset.epoch = String(s.epoch); }
    const strip = document.querySelector('img.trajectory-strip') as HTMLImageElement | null;
    if (strip && s.trajectory) { strip.src = s.trajectory; strip.alt = `denoising trajectory after epoch ${s.epoch}`; strip.dataset.epoch = String(s.epoch); }
    (document.getElementById('epoch-label') as HTMLElement).textContent = `epoch ${s.epoch}`;
    last['samples-slot'] = sampleSection(v);
  });
}

// The configuration is rebuilt as HTML: one listener on the document serves every rebuilt link.
document.addEventListener('click', ev => {
  if ((ev.target as HTMLElement | null)?.id !== 'open-source') return;
  ev.preventDefault();
  vscode.postMessage({ type: 'openSource' });
});

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
