// The README's recipe for `npm run invoke` against moto: `npm run local-estate` in one shell, the printed
// exports and `npm run invoke -- .local/events/create.json --env .local/env.json` in another; then the printed
// status and doctor commands.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../devtools/project-root';

const ROOT = projectRoot();
let estate: ChildProcess | undefined;

afterAll(async () => {
  if (estate && estate.exitCode === null) {
    const exited = new Promise((resolve) => estate!.once('exit', resolve));
    estate.kill('SIGTERM');
    await exited;
  }
});

it('serves an estate that the printed commands enroll a member in', async () => {
  estate = spawn(process.execPath, [join(ROOT, 'dist', 'tools', 'scripts', 'local-estate.js')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: estate!.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('ready')) resolve();
    });
    estate!.once('exit', (code) => reject(new Error(`local-estate exited with ${code}: ${lines.join('\n')}`)));
  });
  const exportLine = lines.find((l) => l.trim().startsWith('export '))!;
  const env = Object.fromEntries(exportLine.trim().slice('export '.length).split(' ').map((pair) => pair.split('=') as [string, string]));
  expect(env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const invoke = spawnSync(process.execPath, [join(ROOT, 'dist', 'tools', 'scripts', 'invoke.js'), '.local/events/create.json', '--env', '.local/env.json'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(invoke.status).toBe(0);
  expect(JSON.parse(invoke.stdout)).toMatchObject({ Status: 'SUCCESS', Data: { AccountId: '222222222222' } });
  const statusLine = lines.find((l) => l.trim().startsWith('node dist/cli.js status'))!;
  const status = spawnSync(process.execPath, statusLine.trim().split(' ').slice(1), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  expect({ code: status.status, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
  expect(status.stdout).toMatch(/222222222222 +yes +\(none\) +yes +1 +ok/);
  // docs/doctor.md: doctor passes this estate; only the topic is not checked (the estate has none).
  const doctorLine = lines.find((l) => l.trim().startsWith('node dist/cli.js doctor'))!;
  const doctor = spawnSync(process.execPath, [...doctorLine.trim().split(' ').slice(1), '--json'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  expect({ code: doctor.status, stderr: doctor.stderr }).toEqual({ code: 0, stderr: '' });
  const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string }> }).checks;
  expect(checks.filter((c) => c.status !== 'pass')).toEqual([expect.objectContaining({ id: 'topic-policy', status: 'warn' })]);
  expect(checks).toHaveLength(11);
}, 60_000);
