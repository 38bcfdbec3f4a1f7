/**
 * The CLI frame every stage uses: argv parsing with node:util parseArgs (unknown flags are bad input), `--help`,
 * and one place that turns errors into a message and an exit code (0 ok, 1 failure, 2 bad input) — never a stack
 * trace unless DEBUG is set.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode, InputError, exitCodeOf, MlopsError } from './errors.js';
import { createLogger, type Logger } from './log.js';

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCli<O extends CliOptions> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
}

export class HelpRequested extends MlopsError {
  constructor(readonly text: string) {
    super(text, ExitCode.ok);
  }
}

/** Parse argv strictly. `--help`/`-h` throws HelpRequested (exit 0 with the usage text). */
export function parseCli<O extends CliOptions>(
  argv: readonly string[],
  options: O,
  usage: string,
): ParsedCli<O> {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(usage);
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(`${message}\n\n${usage}`);
  }
}

/** A required string option, or an InputError naming the flag. */
export function requireOption(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new InputError(`missing required option --${flag}`);
  return value;
}

/**
 * Run a CLI's main function: sets process.exitCode from its result or from the error it throws. Errors are
 * printed as one line (the stack only with DEBUG=1).
 */
export async function runCli(
  name: string,
  main: (argv: string[], logger: Logger) => Promise<number | void>,
): Promise<void> {
  // A reader that stops early (`mlops-x --help | head -1`, a closed log pipe) must not kill the run with an
  // unhandled EPIPE stack trace half-way through its writes: what it no longer reads is dropped and the work goes
  // on. Any other failure to write output (a full disk) is reported and fails the run.
  let outputFailed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') return;
      outputFailed = true;
      process.exitCode = ExitCode.failure;
      if (stream !== process.stderr)
        process.stderr.write(`${name}: error: cannot write output: ${error.message}\n`);
    });
  }
  const logger = createLogger({ name });
  try {
    const code = await main(process.argv.slice(2), logger);
    process.exitCode = outputFailed ? ExitCode.failure : (code ?? ExitCode.ok);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(error.text.endsWith('\n') ? error.text : `${error.text}\n`);
      if (!outputFailed) process.exitCode = ExitCode.ok;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: error: ${message}\n`);
    if (process.env['DEBUG'] && error instanceof Error && error.stack)
      process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
