import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from './project-root';

/**
 * Lambda instances as separate OS processes (devtools/lambda-worker.ts, built to dist/tools/devtools), so
 * concurrency tests share nothing but AWS (moto) — no module state, no event loop. Test and bench harness only.
 */
export interface Worker {
  readonly pid: number;
  /** Runs one invocation; resolves when the handler returned, rejects if the process died first. */
  invoke(event: unknown, remainingMs: number): Promise<void>;
  kill(): void;
}

export interface WorkerPool {
  workers: Worker[];
  /** Replaces a (killed) worker by a fresh process. */
  replace(worker: Worker): Worker;
  stop(): Promise<void>;
  /** The handlers' log lines, all workers. */
  logs: string[];
}

const WORKER = () => join(projectRoot(), 'dist', 'tools', 'devtools', 'lambda-worker.js');

function startWorker(env: Record<string, string>, logs: string[]): Worker {
  const child: ChildProcess = spawn(process.execPath, [WORKER()], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let next = 0;
  let dead: Error | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const { id } = JSON.parse(line) as { id: number };
    pending.get(id)?.resolve();
    pending.delete(id);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
  child.on('exit', (code, signal) => {
    dead = new Error(`worker ${child.pid} exited (${signal ?? code})`);
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  });
  return {
    pid: child.pid!,
    invoke(event, remainingMs) {
      if (dead) return Promise.reject(dead);
      const id = next++;
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.stdin!.write(`${JSON.stringify({ id, event, remainingMs })}\n`);
      });
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

export function startWorkerPool(size: number, env: Record<string, string>): WorkerPool {
  const logs: string[] = [];
  const workers = Array.from({ length: size }, () => startWorker(env, logs));
  return {
    workers,
    logs,
    replace(worker) {
      worker.kill();
      const fresh = startWorker(env, logs);
      workers[workers.indexOf(worker)] = fresh;
      return fresh;
    },
    async stop() {
      for (const w of workers) w.kill();
      await new Promise((r) => setTimeout(r, 50));
    },
  };
}
