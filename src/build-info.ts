// What this runner is: its version and source revision, stamped into the bundle by the build script
// (esbuild --define: npm's package version, git's short revision when the build ran in a checkout), and
// the Node.js it runs on. For --version and the iperf3_monitor_build_info metric. Run from source
// (tsx) nothing is stamped: both read "unknown".

declare const BUILD_VERSION: string | undefined;
declare const BUILD_REVISION: string | undefined;

const stamped = (value: string | undefined) => (value !== undefined && value !== '' ? value : 'unknown');

export const buildInfo = {
  version: stamped(typeof BUILD_VERSION === 'string' ? BUILD_VERSION : undefined),
  revision: stamped(typeof BUILD_REVISION === 'string' ? BUILD_REVISION : undefined),
  nodeVersion: process.versions.node,
};
