/**
 * pino on stderr (never mixed with the report on stdout). pino is loaded on the first message the
 * level lets through: a capture at the default level never loads it (about 70 ms of start-up).
 */
import type pino from 'pino';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export type Logger = Record<Level, (fields: object, message?: string) => void>;

export function createLogger(level: string): Logger {
  const threshold =
    level === 'silent'
      ? LEVELS.length
      : LEVELS.includes(level as Level)
        ? LEVELS.indexOf(level as Level)
        : LEVELS.indexOf('warn');
  let real: pino.Logger | null = null;
  const load = (): pino.Logger => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const make = require('pino') as typeof pino;
    real ??= make({ level: LEVELS[Math.min(threshold, LEVELS.length - 1)], base: undefined }, make.destination(2));
    return real;
  };
  const logger = {} as Logger;
  LEVELS.forEach((name, rank) => {
    logger[name] = rank < threshold ? () => undefined : (fields, message) => load()[name](fields, message);
  });
  return logger;
}
