/**
 * The session spec: everything lldb-scripts/debug_exit.py needs, written to a JSON file in the
 * capture's temp folder and named on the LLDB command line (`dx-setup FILE`). Program paths,
 * arguments and environment travel in this file, never through LLDB's command parser, so nothing
 * in them can run as an LLDB command.
 */
import type { ProbeRow } from '../probes/catalogue';
import type { ProbeSpec } from '../contract/spec';

export { SPEC_SCHEMA, type ProbeSpec, type SessionSpec } from '../contract/spec';

export function toProbeSpecs(rows: readonly ProbeRow[]): ProbeSpec[] {
  return rows.map((row) => ({
    role: row.role,
    symbols: [...row.symbols],
    mode: row.mode,
    reads_registered_function: row.readsRegisteredFunction === true,
  }));
}
