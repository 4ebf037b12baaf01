// What happens to `annlsp.train` / `annlsp.stop` / `annlsp.exportTorchrun` before they reach the
// server, whichever way they are invoked (code lens, palette, keybinding, another extension): training
// and exporting are refused in an untrusted workspace, missing arguments are asked for, and an
// exported torchrun package's README is opened. Pure: the UI is passed in.

export interface RunningRun { uri: string; target: string; runDir: string }

export interface GuardDeps {
  isTrusted(): boolean;
  refuseUntrusted(): void;
  /** [uri, target] of a train block the user picks (from the file's code lenses), or undefined. */
  pickTrainTarget(): Promise<unknown[] | undefined>;
  running(): RunningRun[];
  pickRun(runs: RunningRun[]): Promise<RunningRun | undefined>;
  info(message: string): void;
  /** Shows a file (the README of an exported torchrun package). */
  openFile(path: string): Promise<void>;
}

export type Next = (command: string, args: unknown[]) => unknown;

export function makeCommandGuard(d: GuardDeps) {
  return async (command: string, args: unknown[], next: Next): Promise<unknown> => {
    if (command === 'annlsp.train' || command === 'annlsp.exportTorchrun') {
      if (!d.isTrusted()) { d.refuseUntrusted(); return undefined; }
      if (!args.length) {
        const picked = await d.pickTrainTarget();
        if (!picked) return undefined;
        args = picked;
      }
    }
    if (command === 'annlsp.stop' && !args.length) {
      const running = d.running();
      if (!running.length) { d.info('No training run is in progress.'); return undefined; }
      const pick = running.length === 1 ? running[0] : await d.pickRun(running);
      if (!pick) return undefined;
      args = [pick.uri, pick.target];
    }
    const result = await next(command, args);
    if (command === 'annlsp.exportTorchrun') {
      const readme = (result as { readme?: unknown } | undefined)?.readme;
      if (typeof readme === 'string' && readme) await d.openFile(readme);
    }
    return result;
  };
}
