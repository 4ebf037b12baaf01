// Path checks shared by the preview and the run folder scan. A run folder named by the server, a
// sample path inside a progress event or a run.json found on disk must all stay inside the
// workspace: a file from an untrusted repository must not make a webview read anything else.
import * as path from 'node:path';

/** True when `child` is `parent` itself or lies beneath it (after normalisation; no `..` escapes). */
export function isInside(parent: string, child: string, pathApi: path.PlatformPath = path): boolean {
  if (!parent || !child) return false;
  const rel = pathApi.relative(pathApi.resolve(parent), pathApi.resolve(child));
  if (rel === '') return true;
  return !pathApi.isAbsolute(rel) && rel.split(/[\\/]/)[0] !== '..';
}

/** The first of `roots` that contains `p`, if any. */
export function containingRoot(roots: readonly string[], p: string, pathApi: path.PlatformPath = path): string | undefined {
  return roots.find(r => isInside(r, p, pathApi));
}

/**
 * Resolves a sample image named by an event (absolute, or relative to the run folder) and returns
 * it only when it is a PNG inside the run folder.
 */
export function resolveSamplePath(runDir: string, p: string, pathApi: path.PlatformPath = path): string | undefined {
  if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) return undefined;
  const abs = pathApi.isAbsolute(p) ? pathApi.normalize(p) : pathApi.resolve(runDir, p);
  if (!isInside(runDir, abs, pathApi) || abs === pathApi.resolve(runDir)) return undefined;
  if (!/\.png$/i.test(abs)) return undefined;
  return abs;
}

/** A run folder is acceptable when it lies inside one of the workspace folders (never the folder itself). */
export function acceptRunDir(workspaceRoots: readonly string[], runDir: string, pathApi: path.PlatformPath = path): string | undefined {
  if (typeof runDir !== 'string' || runDir.length === 0 || runDir.includes('\0') || !pathApi.isAbsolute(runDir)) return undefined;
  const norm = pathApi.normalize(runDir);
  const root = containingRoot(workspaceRoots, norm, pathApi);
  if (!root || pathApi.resolve(root) === pathApi.resolve(norm)) return undefined;
  return norm;
}

/** Epoch number encoded in a sample file name such as `epoch-007.png`. */
export function epochFromSampleName(p: string): number | undefined {
  const m = /epoch[-_]?(\d+)\.png$/i.exec(p);
  return m ? Number(m[1]) : undefined;
}
