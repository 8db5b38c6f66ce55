import type { JsonObject } from '../json';

/** One history entry: the session, the execution count, the code and its text result. */
interface HistoryEntry {
  line: number;
  input: string;
  output: string | null;
}

/** A `history_reply` item: `[session, line, input]` or `[session, line, [input, output]]`. */
export type HistoryItem = [number, number, string | [string, string | null]];

/** Converts a glob (`*`, `?`, `[...]`) to an anchored regular expression, like SQLite GLOB. */
function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        source += body.startsWith('^') ? `[^${body.slice(1)}]` : `[${body}]`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * In-memory input history of this kernel process (one session, numbered 1), answering
 * `history_request` for `tail`, `range` and `search`.
 */
export class ExecutionHistory {
  /** The session number of this process's history. */
  static readonly SESSION = 1;
  private readonly entries: HistoryEntry[] = [];

  constructor(private readonly maxEntries = 10000) {}

  /** Records an executed cell. */
  record(line: number, input: string, output: string | null): void {
    this.entries.push({ line, input, output });
    if (this.entries.length > this.maxEntries) this.entries.shift();
  }

  /** Answers a `history_request` content with the `history` list of the reply. */
  query(request: JsonObject): HistoryItem[] {
    const withOutput = request['output'] === true;
    const n = typeof request['n'] === 'number' ? request['n'] : undefined;
    let selected: HistoryEntry[];
    switch (request['hist_access_type']) {
      case 'tail':
        selected = n === undefined ? [...this.entries] : this.entries.slice(-n);
        break;
      case 'range': {
        const session = typeof request['session'] === 'number' ? request['session'] : 0;
        // 0 and negative offsets mean "this session"; there is only one.
        if (session > 0 && session !== ExecutionHistory.SESSION) return [];
        const start = typeof request['start'] === 'number' ? request['start'] : 1;
        const stop = typeof request['stop'] === 'number' ? request['stop'] : Infinity;
        selected = this.entries.filter((entry) => entry.line >= start && entry.line < stop);
        break;
      }
      case 'search': {
        const pattern = globToRegExp(
          typeof request['pattern'] === 'string' ? request['pattern'] : '*',
        );
        selected = this.entries.filter((entry) => pattern.test(entry.input));
        if (request['unique'] === true) {
          const seen = new Set<string>();
          selected = selected
            .reverse()
            .filter((entry) => !seen.has(entry.input) && seen.add(entry.input) !== undefined)
            .reverse();
        }
        if (n !== undefined) selected = selected.slice(-n);
        break;
      }
      default:
        selected = [];
    }
    return selected.map((entry) => [
      ExecutionHistory.SESSION,
      entry.line,
      withOutput ? [entry.input, entry.output] : entry.input,
    ]);
  }
}
