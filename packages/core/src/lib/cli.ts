/**
 * The CLI frame every stage uses: argv parsing with node:util parseArgs (unknown flags are bad input), `--help`,
 * and one place that turns errors into a message and an exit code (0 ok, 1 failure, 2 bad input) — never a stack
 * trace unless DEBUG is set.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode, InputError, exitCodeOf, MlopsError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { redactText } from './redact.js';
import { installSignalCleanup } from './signals.js';

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
    const args = joinNegativeValues(argv, options);
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(`${message}\n\n${usage}`);
  }
}

/** A negative number (`-1`, `-0.5`, `-1e-3`, `-inf`) given as the value of an option. */
const NEGATIVE_NUMBER = /^-(\d|\.\d|inf(inity)?$|nan$)/i;

/**
 * `--rtol -1` as `--rtol=-1`: node's parseArgs refuses a value that starts with a dash ("argument is ambiguous"),
 * but a negative number after an option that takes a value is that option's value, so the range check that follows
 * names what is wrong with it.
 */
function joinNegativeValues(argv: readonly string[], options: CliOptions): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (takesValue.has(a) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** A required string option, or an InputError naming the flag. */
export function requireOption(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new InputError(`missing required option --${flag}`);
  return value;
}

/** A CLI's main function: parses `argv`, does the work, returns the exit code (or throws; see runCli). */
export type CliMain = (argv: string[], logger: Logger) => Promise<number | void>;

export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Run `main` and return its exit code, with no process-wide side effect: the usage text goes to `streams.stdout`,
 * an error to `streams.stderr` as one line `NAME: error: MESSAGE` (secrets masked; the stack only with DEBUG=1).
 * runCli calls it with the process's streams; a test can call it (or the CLI's exported main) in-process.
 */
export async function executeCli(
  name: string,
  main: CliMain,
  argv: string[],
  logger: Logger,
  streams: CliStreams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  try {
    return (await main(argv, logger)) ?? ExitCode.ok;
  } catch (error) {
    if (error instanceof HelpRequested) {
      streams.stdout.write(error.text.endsWith('\n') ? error.text : `${error.text}\n`);
      return ExitCode.ok;
    }
    const message = error instanceof Error ? error.message : String(error);
    streams.stderr.write(redactText(`${name}: error: ${message}`) + '\n');
    if (process.env['DEBUG'] && error instanceof Error && error.stack)
      streams.stderr.write(`${redactText(error.stack)}\n`);
    return exitCodeOf(error);
  }
}

const NO_AUTO_RUN = Symbol.for('mlops.cli.noAutoRun');

/**
 * Make runCli do nothing in this process: a test calls it before importing a CLI's main module, to call its
 * exported `main(argv, logger)` in-process instead of running it as a program.
 */
export function disableCliAutoRun(): void {
  (globalThis as Record<symbol, unknown>)[NO_AUTO_RUN] = true;
}

/**
 * Run a CLI's main function as the program: sets process.exitCode from its result or from the error it throws
 * (see executeCli), and installs the SIGINT/SIGTERM handler that removes temp files in flight (exit 130/143).
 */
export async function runCli(name: string, main: CliMain): Promise<void> {
  if ((globalThis as Record<symbol, unknown>)[NO_AUTO_RUN]) return;
  installSignalCleanup(name);
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
  const code = await executeCli(name, main, process.argv.slice(2), logger);
  process.exitCode = outputFailed ? ExitCode.failure : code;
}
