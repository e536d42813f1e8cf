// The release version, printed by `--version`. The image has no package.json for yargs to read, so the
// version lives here; `.github/scripts/version.mjs bump X.Y.Z` keeps it in step with package.json and the chart.
export const version = '0.1.0';
