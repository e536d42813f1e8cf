// The product images the real nodes hold: `npm run image` builds the repository's Dockerfile into OCI archives
// under dist/image/ (cached by the build itself), which `rig.sh up-real` imports into every node's containerd.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoDir } from './rig.ts';

/** Runs `npm run image` (a no-op when the archives are current); throws when it fails or does not exist. */
export function ensureImages(): void {
  const pkg = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.image) throw new Error('package.json has no "image" script: the real-node tests need `npm run image`');
  const t0 = Date.now();
  const r = spawnSync('npm', ['run', '--silent', 'image'], { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm run image failed with status ${r.status}:\n${r.stdout}`);
  console.log(`# npm run image: ${((Date.now() - t0) / 1000).toFixed(1)}s\n${r.stdout.trim().split('\n').map((l) => `#   ${l}`).join('\n')}`);
}
