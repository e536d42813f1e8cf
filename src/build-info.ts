import packageJson from '../package.json' with { type: 'json' };

// What this runner is: its version (package.json), the source revision when the build knew it
// (esbuild --define:BUILD_REVISION from git), and the Node.js it runs on. For --version and the
// iperf3_monitor_build_info metric.

declare const BUILD_REVISION: string | undefined;

export const buildInfo = {
  version: packageJson.version,
  revision: typeof BUILD_REVISION === 'string' && BUILD_REVISION !== '' ? BUILD_REVISION : 'unknown',
  nodeVersion: process.versions.node,
};
