/**
 * Loads PostgreSQL's parser in every test file's process. In-process tests call the planner
 * (`buildPlan`, `statementHazards` …) directly, and the planner needs the parser loaded (it throws
 * ParserNotLoadedError otherwise); the CLI loads it at its own entry points, which the CLI tests
 * exercise without this file.
 */
import { loadParser } from '../../src/sql/parser.js';

await loadParser();
