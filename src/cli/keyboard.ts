/** The person's terminal in raw mode: every keystroke (Ctrl-C included) goes to LLDB as typed. */
export class KeyboardForwarder {
  private readonly onData = (data: Buffer) => this.send(data.toString('utf8'));
  private readonly onResize = () => this.resize(this.output.columns, this.output.rows);

  constructor(
    private readonly input: NodeJS.ReadStream,
    private readonly output: NodeJS.WriteStream,
    private readonly send: (data: string) => void,
    private readonly resize: (cols: number, rows: number) => void,
  ) {}

  start(): void {
    // Raw: Ctrl-C reaches LLDB (which interrupts the program), not this process as SIGINT.
    this.input.setRawMode(true);
    this.input.on('data', this.onData);
    this.input.resume();
    this.output.on('resize', this.onResize);
  }

  stop(): void {
    this.input.off('data', this.onData);
    this.output.off('resize', this.onResize);
    if (this.input.isTTY) this.input.setRawMode(false);
    this.input.pause();
  }
}
