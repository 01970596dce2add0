/** pino on stderr (never mixed with the report on stdout). */
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  const valid = Object.keys(pino.levels.values).concat('silent');
  return pino({ level: valid.includes(level) ? level : 'warn', base: undefined }, pino.destination(2));
}
