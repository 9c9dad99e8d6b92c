import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAIN_WRITER_FILE, claimChainWriter, processStartTime } from './chainWriter';
import { JsonlAuditLog } from './jsonlAuditLog';

// One writer per audit chain folder: a second gateway on the same AUDIT_DIR is refused instead of
// interleaving its records with the first one's; a claim left by a dead process is taken over at once.

const folder = () => mkdtempSync(join(tmpdir(), 'chain-writer-'));
const claimBy = (pid: number, started: string, host = hostname()) => JSON.stringify({ pid, started, host });

it('refuses a second writer of one folder while the first holds it, and lets the next in after close', async () => {
  const dir = folder();
  const first = await JsonlAuditLog.open(dir, { signingKey: 'k'.repeat(32) });
  await expect(JsonlAuditLog.open(dir, { signingKey: 'k'.repeat(32) })).rejects.toThrow(
    /another gateway \(pid \d+\) writes the audit chain/,
  );
  await first.close();
  expect(existsSync(join(dir, CHAIN_WRITER_FILE))).toBe(false);
  const second = await JsonlAuditLog.open(dir, { signingKey: 'k'.repeat(32) });
  await second.close();
});

it('refuses while another live process holds the folder, and takes it over at once after that process is killed', async () => {
  const dir = folder();
  // A real second process claims the folder and stays up (what a second gateway would do).
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const fs=require('fs'),os=require('os');` +
        `const s=fs.readFileSync('/proc/'+process.pid+'/stat','utf8');` +
        `const started=s.slice(s.lastIndexOf(')')+2).split(' ')[19];` +
        `fs.writeFileSync(${JSON.stringify(join(dir, CHAIN_WRITER_FILE))},JSON.stringify({pid:process.pid,started,host:os.hostname()}));` +
        `console.log('claimed');setInterval(()=>{},1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('claimed') && resolve());
      holder.once('exit', () => reject(new Error('the holding process exited before claiming')));
    });
    expect(() => claimChainWriter(dir)).toThrow(`another gateway (pid ${holder.pid}) writes the audit chain in ${dir}`);
  } finally {
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
  }
  const claim = claimChainWriter(dir);
  expect(JSON.parse(readFileSync(join(dir, CHAIN_WRITER_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
  claim.release();
});

it('takes over a claim whose pid now runs a process started at another time (a reused pid)', () => {
  const dir = folder();
  // Our own pid with another start time: what a restarted container's gateway finds.
  writeFileSync(join(dir, CHAIN_WRITER_FILE), claimBy(process.pid, '1'));
  const claim = claimChainWriter(dir);
  expect(JSON.parse(readFileSync(join(dir, CHAIN_WRITER_FILE), 'utf8'))).toEqual({
    pid: process.pid,
    started: processStartTime(process.pid),
    host: hostname(),
  });
  claim.release();
  // A half-written claim (a crash while claiming) holds nothing either.
  writeFileSync(join(dir, CHAIN_WRITER_FILE), '{"pid": 12');
  claimChainWriter(dir).release();
});

it("refuses another host's claim and names the file to remove once that host is known to be down", () => {
  const dir = folder();
  writeFileSync(join(dir, CHAIN_WRITER_FILE), claimBy(4242, '99', 'gateway-7.example'));
  expect(() => claimChainWriter(dir)).toThrow(
    `claimed by a gateway on host gateway-7.example (pid 4242); give each gateway its own AUDIT_DIR, or remove ${join(dir, CHAIN_WRITER_FILE)}`,
  );
});
