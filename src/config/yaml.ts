/**
 * The `yaml` package, loaded on first use: about 40 ms of start-up that a command reading no YAML
 * (`diff` in a folder without schemaplan.yaml, `--version`) does not pay.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

const require = createRequire(import.meta.url);
let loaded: Yaml | undefined;

/** The `yaml` module (its CommonJS build, the one an ESM import of it also loads on Node). */
export function yaml(): Yaml {
  return (loaded ??= require('yaml') as Yaml);
}
