/** Minutes since local midnight of an instant in an IANA time zone (quiet hours), without a date library. */

const formats = new Map<string, Intl.DateTimeFormat>();

export function minutesOfDay(ms: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(ms));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

/** `HH:MM` → minutes since midnight. */
export const clockMinutes = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** True when `minutes` falls in [from, to), a window that may span midnight. */
export function inWindow(minutes: number, from: string, to: string): boolean {
  const a = clockMinutes(from);
  const b = clockMinutes(to);
  return a < b ? minutes >= a && minutes < b : minutes >= a || minutes < b;
}
