import type { LogDestination } from '@xdv/api';

// Where the demo's logs go. pino writes one JSON object per line; on a terminal each becomes one
// short readable line (time, level, message, the request's method, URL, status and time), and piped
// to a file or a collector it stays JSON.

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

interface LogLine {
  level?: number;
  time?: number;
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  err?: { message?: string };
}

/** One JSON log line as a short line for a person. Unparseable input passes through unchanged. */
export function prettyLine(json: string): string {
  let o: LogLine;
  try {
    o = JSON.parse(json) as LogLine;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : '';
  const parts = [time, (LEVELS[o.level ?? 30] ?? String(o.level)).padEnd(5), o.reqId ? `[${o.reqId}]` : ''];
  if (o.req?.method) parts.push(`${o.req.method} ${o.req.url ?? ''}`);
  if (o.res?.statusCode) parts.push(`→ ${o.res.statusCode}`);
  if (typeof o.responseTime === 'number') parts.push(`${o.responseTime.toFixed(1)} ms`);
  if (o.msg && !/^(incoming request|request completed)$/.test(o.msg)) parts.push(o.msg);
  if (o.err?.message) parts.push(`(${o.err.message})`);
  return `${parts.filter(Boolean).join(' ')}\n`;
}

export function terminalLogs(out: NodeJS.WriteStream): LogDestination {
  if (!out.isTTY) return { write: (line) => void out.write(line) };
  return { write: (line) => void out.write(prettyLine(line.trimEnd())) };
}
