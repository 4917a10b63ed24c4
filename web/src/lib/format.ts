/** Display formatting: money (integer micro-USD), counts, times (always with their zone), durations. */

const usd2 = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const count = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** "$3.21"; amounts under a cent keep their significant digits ("$0.000042"). */
export function formatUsd(micro: number): string {
  if (micro === 0) return '$0.00';
  const abs = Math.abs(micro);
  if (abs >= 10_000) return usd2.format(micro / 1_000_000);
  const sign = micro < 0 ? '-' : '';
  const fraction = String(abs).padStart(6, '0').replace(/0+$/, '');
  return `${sign}$0.${fraction.length < 2 ? fraction.padEnd(2, '0') : fraction}`;
}

/** Short money for chart axes: "$0.12", "$1.2K". */
export function formatUsdAxis(micro: number): string {
  const usd = micro / 1_000_000;
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 1000) return `$${compact.format(usd)}`;
  if (Math.abs(usd) >= 0.01) return `$${usd.toFixed(2)}`;
  return `$${Number(usd.toPrecision(2))}`;
}

/** USD per million tokens, as the catalog writes them: "$0.15", "$2.50", "$0.075". */
export function formatPerMtok(usd: number | null): string {
  if (usd === null) return '—';
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;
}

export function formatCount(n: number): string {
  return count.format(n);
}

export function formatCompact(n: number): string {
  return n >= 10_000 ? compact.format(n) : count.format(n);
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${count.format(Math.round(ms))} ms`;
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
}

/** "Mar 4, 09:15:02 AM UTC": a time of day always says which zone it is in. */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString('en-US', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  });
}

/** The date and the time of day (with its zone) of formatDateTime, apart: ["Mar 4", "09:15:02 AM UTC"]. */
export function dateTimeParts(iso: string): [string, string] {
  const text = formatDateTime(iso);
  const at = text.indexOf(', ');
  return at < 0 ? ['', text] : [text.slice(0, at), text.slice(at + 2)];
}

/** The browser's time zone as times are labelled ("EST", "GMT+1"). */
export function timeZoneName(at = Date.now()): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'local time';
}

/** "Mar 4, 2026, 09:15 AM GMT+1", for tooltips of dates and relative times. */
export function formatFullDateTime(iso: string): string {
  return new Date(iso).toLocaleString('en-US', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}

/** "1 model", "3 models". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'Never';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 45) return 'Just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 14) return `${days} day${days === 1 ? '' : 's'} ago`;
  return formatDate(iso);
}

/** Parses a USD amount typed by a person ("10", "3.21", "$0.50") into integer micro-USD. */
export function parseUsdToMicro(text: string): number | null | 'invalid' {
  const cleaned = text.trim().replace(/^\$/, '').replace(/,/g, '');
  if (cleaned === '') return null;
  const match = /^(\d+)(?:\.(\d{0,6}))?$/.exec(cleaned);
  if (!match) return 'invalid';
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return whole * 1_000_000 + fraction;
}

/** Micro-USD back to an editable USD string ("10", "3.21"). */
export function microToUsdInput(micro: number | null): string {
  if (micro === null) return '';
  const whole = Math.floor(micro / 1_000_000);
  const fraction = String(micro % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}
