/** Migration files: names, sections, checksums, the sum file and the loaded history. No database access. */
export {
  parseMigrationFileName, tryParseMigrationFileName, namingProblems, isValidTimestamp, newVersion, slugify, compareVersions, versionKey,
  historyConvention, nextSequenceName, MigrationNameError, type MigrationName, type NameConvention,
} from './names.js';
export {
  parseMigration, renderMigration, isBaseline, BASELINE_DIRECTIVE, MigrationFormatError,
  type ParsedMigration, type MigrationFormat, type RenderMigrationInput,
} from './sections.js';
export { sha256Hex, sha256Base64 } from './checksum.js';
export { computeSum, writeSum, verifySum, migrationFiles, SUM_FILE, UNRECORDED, type Sum, type SumEntry, type SumOptions, type SumProblem } from './sumfile.js';
export { loadHistory, MigrationEncodingError, type Migration } from './history.js';
export { importHistory, convertMigration, importedHashes, IMPORT_FORMATS, type ImportFormat, type ImportResult, type ImportedFile, type ImportOptions, type DownSection } from './import.js';
