/** LLDB command lines. Paths are ours (the package, our cache), quoted for LLDB's parser. */
export function lldbQuote(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
