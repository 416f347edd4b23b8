/**
 * CI report formats of `lint` and `check`: GitHub Actions workflow annotations
 * (`::error file=…,line=…,col=…::message`) and a GitLab Code Quality report (a JSON array on stdout).
 */
import { createHash } from 'node:crypto';

/** One finding or problem, located in a file when it has a place. */
export interface Annotation {
  severity: 'error' | 'warning';
  /** Short name: a lint rule id, or a check problem's kind. */
  rule: string;
  message: string;
  /** Path relative to the project root, `/`-separated. */
  file?: string;
  line?: number;
  column?: number;
}

/** The `--format` values `lint` and `check` accept. */
export const REPORT_FORMATS = ['text', 'json', 'github', 'gitlab'] as const;

/** One of {@link REPORT_FORMATS}. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * `format` as a report format.
 * @throws Error naming the accepted values
 */
export function reportFormat(format: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new Error(`unknown --format ${format}: use ${REPORT_FORMATS.join(', ')}`);
  return format as ReportFormat;
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions workflow commands, one line per annotation (`::error file=f,line=3,col=1,title=rule::message`). */
export function githubAnnotations(items: Annotation[]): string {
  return items.map((a) => {
    const props: string[] = [];
    if (a.file) props.push(`file=${escapeProperty(a.file)}`);
    if (a.file && a.line) props.push(`line=${a.line}`);
    if (a.file && a.line && a.column) props.push(`col=${a.column}`);
    props.push(`title=${escapeProperty(`schemaplan ${a.rule}`)}`);
    return `::${a.severity} ${props.join(',')}::${escapeData(a.message)}`;
  }).join('\n');
}

/**
 * A GitLab Code Quality report: a JSON array of issues (`description`, `check_name`, `fingerprint`,
 * `severity`, `location.path`, `location.lines.begin`). An annotation with no file is placed on
 * line 1 of `fallbackPath` (GitLab requires a location).
 */
export function gitlabCodeQuality(items: Annotation[], fallbackPath: string): string {
  const seen = new Map<string, number>();
  const issues = items.map((a) => {
    const path = a.file ?? fallbackPath;
    const line = a.file && a.line ? a.line : 1;
    // Stable across runs; a repeat of the same issue gets its own fingerprint.
    const key = `${a.rule}\0${path}\0${line}\0${a.message}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return {
      description: a.message,
      check_name: a.rule,
      fingerprint: createHash('sha256').update(`${key}\0${n}`).digest('hex').slice(0, 32),
      severity: a.severity === 'error' ? 'major' : 'minor',
      location: { path, lines: { begin: line } },
    };
  });
  return JSON.stringify(issues, null, 2);
}
