// After `tsc`: the CLI entry point must be executable (tsc keeps its `#!/usr/bin/env node` line but
// not a file mode), so `dist/src/cli/main.js` runs directly and through npm's bin link.
import fs from 'node:fs';

const bin = new URL('../dist/src/cli/main.js', import.meta.url);
const first = fs.readFileSync(bin, 'utf8').split('\n', 1)[0];
if (first !== '#!/usr/bin/env node') throw new Error(`dist/src/cli/main.js must start with "#!/usr/bin/env node", found ${JSON.stringify(first)}`);
fs.chmodSync(bin, 0o755);
