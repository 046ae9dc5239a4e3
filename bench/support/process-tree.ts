/**
 * CPU-seconds and memory of a whole process tree, read from /proc: every process whose parent chain or
 * process group leads to the root, sampled often enough that short-lived helpers are seen. A process's CPU
 * is the last utime + stime seen for it, so a process that ends between two samples loses at most one
 * interval of its CPU.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const PAGE_BYTES = Number(execFileSync('getconf', ['PAGESIZE']).toString().trim()) || 4096;

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  pgrp: number;
  cpuTicks: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return {
      pid,
      comm,
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      rssBytes: Number(fields[21]) * PAGE_BYTES,
    };
  } catch {
    return undefined;
  }
}

function readPss(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

export interface TreeUsage {
  cpuSeconds: number;
  /** The largest sum of RSS over the tree seen in one sample (shared pages counted once per process). */
  peakRssBytes: number;
  /** The largest sum of PSS (shared pages split between their users), read once a second. */
  peakPssBytes: number;
  /** CPU-seconds by command name. */
  byCommand: Record<string, number>;
  processes: number;
}

export interface TreeSampler {
  /** CPU-seconds of the tree so far (takes a sample first). */
  cpuNow(): number;
  stop(): TreeUsage;
}

export function sampleTree(rootPid: number, intervalMs = 200): TreeSampler {
  const members = new Set<number>([rootPid]);
  const cpu = new Map<number, { comm: string; ticks: number }>();
  let peakRss = 0;
  let peakPss = 0;
  let samples = 0;
  const sample = () => {
    samples += 1;
    const stats = allStats();
    const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
    let grew = true;
    while (grew) {
      grew = false;
      for (const stat of stats) {
        if (members.has(stat.pid)) continue;
        if (members.has(stat.ppid) || stat.pgrp === rootPid) {
          members.add(stat.pid);
          grew = true;
        }
      }
    }
    let rss = 0;
    for (const pid of members) {
      const stat = byPid.get(pid);
      if (!stat) continue;
      rss += stat.rssBytes;
      const seen = cpu.get(pid);
      if (!seen || stat.cpuTicks >= seen.ticks) cpu.set(pid, { comm: stat.comm, ticks: stat.cpuTicks });
    }
    peakRss = Math.max(peakRss, rss);
    if (samples % Math.max(1, Math.round(1000 / intervalMs)) === 0) {
      let pss = 0;
      for (const pid of members) if (byPid.has(pid)) pss += readPss(pid);
      peakPss = Math.max(peakPss, pss);
    }
  };
  const total = () => [...cpu.values()].reduce((sum, entry) => sum + entry.ticks, 0) / TICKS_PER_SECOND;
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    cpuNow() {
      sample();
      return total();
    },
    stop() {
      sample();
      clearInterval(timer);
      const byCommand: Record<string, number> = {};
      for (const entry of cpu.values()) {
        byCommand[entry.comm] = (byCommand[entry.comm] ?? 0) + entry.ticks / TICKS_PER_SECOND;
      }
      return {
        cpuSeconds: total(),
        peakRssBytes: peakRss,
        peakPssBytes: peakPss,
        byCommand,
        processes: cpu.size,
      };
    },
  };
}
