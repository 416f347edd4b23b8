/**
 * The pull-request review of a branch (`schemaplan show --since <ref>`): the plans of the migrations
 * the branch adds, hand-written migrations with their lint findings, and optionally `check`'s problems.
 * Git is run with execFile (no shell).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../config/config.js';
import { lintPaths, type Finding, type LintResult } from '../lint/index.js';
import { parsePlanDocument, renderMarkdown, type PlanDocument } from '../plan/document.js';
import type { CheckProblem } from './check.js';
import { lintOptions } from './check.js';

const run = promisify(execFile);

/** The hidden marker heading the markdown body; the GitHub Action finds its comment by it. */
export const REVIEW_MARKER = '<!-- schemaplan -->';

/** A plan the branch adds (or that an added migration names), with its document. */
export interface ReviewPlan {
  /** The plan file, relative to the project root (`/`-separated). */
  file: string;
  document: PlanDocument;
}

/** An added migration without a plan (hand-written), with its lint findings. */
export interface ReviewHandWritten {
  /** The migration file, relative to the project root (`/`-separated). */
  file: string;
  findings: Finding[];
}

/** What `show --since` reports: plain data, rendered as markdown or printed as JSON. */
export interface Review {
  /** The git ref the branch is compared with. */
  since: string;
  /** Files added under the migrations and plans folders, relative to the project root. */
  added: string[];
  plans: ReviewPlan[];
  handWritten: ReviewHandWritten[];
  /** Lint of every added migration file. */
  lint: LintResult;
  /** `check`'s problems, when asked for (`--check`). */
  check?: { ok: boolean; problems: CheckProblem[] };
}

/**
 * Files added between the merge base of `ref` and HEAD (`git diff --diff-filter=A <ref>...HEAD`),
 * restricted to `dirs` and relative to `cwd` (`/`-separated).
 * @throws Error naming the ref when git fails (not a repository, unknown ref)
 */
export async function addedFiles(cwd: string, ref: string, dirs: string[]): Promise<string[]> {
  if (!ref || ref.startsWith('-')) throw new Error(`--since ${ref}: not a git ref`);
  const specs = dirs.map((d) => (d === '' ? '.' : d));
  try {
    const { stdout } = await run('git', ['diff', '--relative', '--name-only', '--no-renames', '--diff-filter=A', `${ref}...HEAD`, '--', ...specs], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
  } catch (e: any) {
    const detail = String(e?.stderr ?? e?.message ?? e).trim().split('\n')[0];
    throw new Error(`git diff ${ref}...HEAD failed in ${cwd}: ${detail}`);
  }
}

/** The `-- Plan:` header of a migration file, if it has one. */
function planHeader(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^--\s*Plan:\s*(\S+)\s*$/.exec(line);
    if (m) return m[1];
    if (/^--\s*migrate:/.test(line)) return undefined;
  }
  return undefined;
}

const rel = (root: string, abs: string) => path.relative(root, abs).split(path.sep).join('/');

/**
 * Builds the review of what a branch adds since `ref`. Plans are those added under the plans
 * folder, plus any plan an added migration names; an added migration no plan covers is listed as
 * hand-written with its lint findings.
 * @param opts.check a function that runs `check` (`runCheck` with its shadow), when drift is wanted
 */
export async function buildReview(config: Config, ref: string, opts: { check?: () => Promise<CheckProblem[]> } = {}): Promise<Review> {
  const migrationsRel = rel(config.root, config.migrationsDir);
  const plansRel = rel(config.root, config.plansDir);
  const added = await addedFiles(config.root, ref, [migrationsRel, plansRel]);
  const inDir = (f: string, dir: string) => dir === '' || f.startsWith(`${dir}/`);
  const addedPlans = added.filter((f) => inDir(f, plansRel) && /\.ya?ml$/.test(f));
  const addedMigrations = added.filter((f) => inDir(f, migrationsRel) && f.endsWith('.sql') && fs.existsSync(path.join(config.root, f)));

  const plans = new Map<string, ReviewPlan>();
  const addPlan = (file: string) => {
    if (plans.has(file)) return;
    const abs = path.join(config.root, file);
    if (!fs.existsSync(abs)) return;
    plans.set(file, { file, document: parsePlanDocument(fs.readFileSync(abs, 'utf8'), file) });
  };
  for (const f of addedPlans) addPlan(f);
  const covered = () => new Set([...plans.values()].flatMap((p) => (p.document.migrations ?? []).map((m) => m.file)));
  for (const m of addedMigrations) {
    if (covered().has(m)) continue;
    const header = planHeader(fs.readFileSync(path.join(config.root, m), 'utf8'));
    if (header) addPlan(header);
  }

  const lint = addedMigrations.length
    ? await lintPaths(addedMigrations, { ...lintOptions(config), root: config.root })
    : { findings: [], files: [], errors: 0, warnings: 0 };
  const cover = covered();
  const handWritten = addedMigrations.filter((m) => !cover.has(m)).map((file) => ({ file, findings: lint.findings.filter((f) => f.file === file) }));
  const review: Review = {
    since: ref,
    added,
    plans: [...plans.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    handWritten,
    lint,
  };
  if (opts.check) {
    const problems = await opts.check();
    review.check = { ok: problems.length === 0, problems };
  }
  return review;
}

const tick = (s: string) => '`' + s.replace(/`/g, "'") + '`';
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/**
 * The review as ONE markdown body for a pull-request comment: the marker, a summary line, each
 * plan's markdown (as `show <version>` prints it), hand-written migrations with their findings, the
 * lint findings of the added files, and `check`'s problems when the review has them.
 */
export function renderReviewMarkdown(r: Review): string {
  const out: string[] = [REVIEW_MARKER, `## schemaplan: migrations added since ${tick(r.since)}`, ''];
  const count = r.plans.length + r.handWritten.length;
  if (count === 0) out.push('No migrations added.');
  else {
    const parts = [`${r.plans.length} plan${r.plans.length === 1 ? '' : 's'}`, `${r.handWritten.length} hand-written migration${r.handWritten.length === 1 ? '' : 's'}`];
    parts.push(`lint: ${r.lint.errors} error(s), ${r.lint.warnings} warning(s)`);
    if (r.check) parts.push(r.check.ok ? 'check: clean' : `check: **${r.check.problems.length} problem(s)**`);
    out.push(parts.join(' · '));
  }
  for (const p of r.plans) out.push('', renderMarkdown(p.document).trimEnd());
  if (r.handWritten.length) {
    out.push('', '### Hand-written migrations', '', 'These files have no plan (written by hand, or with `schemaplan new`): review their SQL directly.', '');
    for (const h of r.handWritten) out.push(`- ${tick(h.file)}: ${h.findings.length ? `${h.findings.length} lint finding(s), below` : 'no lint findings'}`);
  }
  if (r.lint.findings.length) {
    out.push('', `### Lint of the added files (${r.lint.errors} error(s), ${r.lint.warnings} warning(s))`, '', '| file | severity | rule | finding | fix |', '|---|---|---|---|---|');
    for (const f of r.lint.findings) out.push(`| ${tick(`${f.file}:${f.line}:${f.column}`)} | ${f.severity} | ${tick(f.rule)} | ${cell(f.message)} | ${cell(f.fix)} |`);
  } else if (count) out.push('', '### Lint of the added files', '', 'No findings.');
  if (r.check) {
    out.push('', '### schemaplan check', '');
    if (r.check.ok) out.push('Clean: history, schema/ and sum file agree; down sections restore.');
    else {
      for (const p of r.check.problems) {
        out.push(`- **${p.kind}**${p.file ? ` ${tick(p.file + (p.line ? `:${p.line}` : ''))}` : ''}: ${cell(p.message)}`);
        for (const d of p.details ?? []) out.push(`  - ${tick(d)}`);
      }
    }
  }
  return out.join('\n') + '\n';
}
