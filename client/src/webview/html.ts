// The HTML shell of annlsp's webviews: a strict content security policy (nothing but the
// extension's own script and style, with a fresh nonce, and images from the webview's local
// resource roots), themed by VS Code's CSS variables in the stylesheet. Pure.
import { esc } from './svg';

export function makeNonce(random: (n: number) => Uint8Array): string {
  return Buffer.from(random(18)).toString('base64').replace(/[^A-Za-z0-9]/g, '') || 'annlsp';
}

export interface ShellOptions {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
  /** Serialised initial state for the script (put in a data attribute, HTML-escaped). */
  initialState?: unknown;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function shellHtml(o: ShellOptions): string {
  const state = o.initialState === undefined ? '' : ` data-state="${esc(JSON.stringify(o.initialState))}"`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.cspSource, o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(o.styleUri)}" nonce="${o.nonce}">
<title>${esc(o.title)}</title>
</head>
<body>
<div id="app"${state}></div>
<script nonce="${o.nonce}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}
