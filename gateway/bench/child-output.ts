import type { ChildProcess } from 'node:child_process';

/** Resolves with the first match of `re` in what a spawned bench process prints; rejects, with its output, if it exits first. */
export function waitForLine(child: ChildProcess, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m !== null) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`exited (${code}) before printing ${re}: ${out.slice(-2000)}`)));
  });
}
