// Everything the CLI touches outside itself, so tests drive it in-process with their own streams.

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** All of standard input (a token piped in, a file given as "-"). */
  readStdin(): Promise<string>;
  /** Ask a person for a value without echoing it; null when there is no terminal to ask on. */
  prompt(question: string): Promise<string | null>;
  env: Record<string, string | undefined>;
  /** Called after each applied step of `xdv apply`: tests interrupt an apply here. */
  afterStep?(index: number): void;
  /** Aborts `xdv watch` (Ctrl-C in the terminal; tests end it). */
  signal?: AbortSignal;
}

/** The process's own streams. */
export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    prompt: async (question) => {
      if (!process.stdin.isTTY) return null;
      const { createInterface } = await import('node:readline');
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      // Mute the echo: the token must not stay on the screen or in a terminal recording.
      const w = rl as unknown as { _writeToOutput?: (s: string) => void };
      process.stderr.write(question);
      w._writeToOutput = () => {};
      try {
        return await new Promise<string>((ok) => rl.question('', ok));
      } finally {
        rl.close();
        process.stderr.write('\n');
      }
    },
  };
}
