/**
 * Nothing left running: at the end of every session, whatever the program left behind in its
 * process group (the script launches it in a group of its own, led by its pid) is killed with
 * SIGKILL (SIGTERM can be ignored), and named, so the report can say so.
 *
 *   killLeftovers(events) -> [31337]   // a grandchild that ignored SIGTERM, now killed
 */
import * as fs from 'node:fs';
import type { DebugExitEvent } from '../timeline/events';
import { splitRuns } from '../timeline/runs';

/** The pids the script reported launching, in order: one per run. */
export function launchedPids(events: readonly DebugExitEvent[]): number[] {
  return splitRuns(events).runs.map((run) => run.pid);
}

/** Live (not zombie) processes whose process group is `pgid`, and `pgid` itself if alive. Linux /proc. */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses; it ends at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && fields[0] !== 'X' && Number(fields[2]) === pgid) members.push(Number(entry));
  }
  return members.sort((a, b) => a - b);
}

function kill(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // ESRCH: gone already
  }
}

/** The pid of a launch with no exit after it (LLDB died, or the session was stopped), if any. */
export function openLaunch(events: readonly DebugExitEvent[]): number | null {
  const last = splitRuns(events).runs.at(-1);
  return last === undefined || last.ended ? null : last.pid;
}

/**
 * Kills every process left in the groups of the launched programs; returns the pids it found.
 * Right after a capture, so the pids are the program's (an interactive session, which can last
 * long enough for a pid to be reused, passes only its open launch).
 */
export function killLeftovers(
  events: readonly DebugExitEvent[],
  pids: readonly number[] = launchedPids(events),
): number[] {
  const found: number[] = [];
  for (const pid of pids) {
    if (pid <= 1 || pid === process.pid) continue;
    const members = groupMembers(pid);
    kill(-pid);
    kill(pid);
    for (const member of members) kill(member);
    found.push(...members);
  }
  return found;
}

/** The report's line for them, or null when nothing was left. */
export function leftoversLine(pids: readonly number[]): string | null {
  if (pids.length === 0) return null;
  const list = pids.join(', ');
  return `the program left ${pids.length} process${pids.length === 1 ? '' : 'es'} running (pid ${list}); ${pids.length === 1 ? 'it was' : 'they were'} killed`;
}
