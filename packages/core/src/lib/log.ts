/**
 * A structured logger. Human lines in the predecessor's format ("timestamp - name - LEVEL - message") by default,
 * JSON lines when asked (`json: true` or LOG_FORMAT=json). Always on stderr, so stdout stays free for data.
 */
import { redactText } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const LABEL: Record<Exclude<LogLevel, 'silent'>, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
};

export interface LogSink {
  write(line: string): unknown;
  isTTY?: boolean;
}

export interface LoggerOptions {
  name: string;
  level?: LogLevel;
  json?: boolean;
  sink?: LogSink;
  /** Injected clock, for tests. */
  now?: () => Date;
}

export interface Logger {
  readonly name: string;
  readonly level: LogLevel;
  readonly json: boolean;
  readonly sink: LogSink;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(name: string): Logger;
}

/** Parse a level name as params.yaml and LOG_LEVEL spell it (INFO, warning, …). */
export function parseLogLevel(value: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  if (!value) return fallback;
  const v = value.trim().toLowerCase();
  if (v === 'warning') return 'warn';
  if (v === 'critical' || v === 'fatal') return 'error';
  return v in ORDER ? (v as LogLevel) : fallback;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `%Y-%m-%d %H:%M:%S` in local time, as the predecessor's formatter printed it. */
export function formatTimestamp(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? parseLogLevel(process.env['LOG_LEVEL']);
  const json = options.json ?? process.env['LOG_FORMAT']?.toLowerCase() === 'json';
  const sink: LogSink = options.sink ?? process.stderr;
  const now = options.now ?? (() => new Date());
  const emit = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const time = now();
    // Every line passes through the one redaction helper: a URL with a password, a SAS token or a secret from the
    // environment never reaches a log, whichever library's message carried it.
    if (json) {
      sink.write(
        redactText(
          JSON.stringify({
            time: time.toISOString(),
            level: lvl,
            logger: options.name,
            msg: message,
            ...fields,
          }),
        ) + '\n',
      );
    } else {
      const extra =
        fields && Object.keys(fields).length > 0
          ? ' ' +
            Object.entries(fields)
              .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
              .join(' ')
          : '';
      sink.write(
        redactText(`${formatTimestamp(time)} - ${options.name} - ${LABEL[lvl]} - ${message}${extra}`) + '\n',
      );
    }
  };
  return {
    name: options.name,
    level,
    json,
    sink,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (name) => createLogger({ ...options, name: `${options.name}.${name}`, level, json, sink, now }),
  };
}
