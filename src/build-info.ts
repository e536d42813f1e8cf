import { version } from './version.ts';

// What this runner is: its release version (src/version.ts, kept in step with package.json and the chart
// by .github/scripts/version.mjs), its source revision, stamped into the bundle by the build script
// (esbuild --define: git's short revision when the build ran in a checkout, else "unknown"), and the
// Node.js it runs on. For --version and the iperf3_monitor_build_info metric.

declare const BUILD_REVISION: string | undefined;

const revision = typeof BUILD_REVISION === 'string' && BUILD_REVISION !== '' ? BUILD_REVISION : 'unknown';

export const buildInfo = { version, revision, nodeVersion: process.versions.node };
