// npm's `prepare` step: builds dist/ after `npm install` in a checkout and when npm installs
// schemaplan from git. `npm pack` / `npm publish` run `prepack` (which builds) and then `prepare`
// too; the second build is skipped there.
import { execSync } from 'node:child_process';

if (['pack', 'publish'].includes(process.env.npm_command ?? '')) process.exit(0);
execSync('npm run build --silent', { stdio: 'inherit' });
