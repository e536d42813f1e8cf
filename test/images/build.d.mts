// Types of build.mjs (plain JavaScript so that `npm run image` needs no TypeScript loader).
export function chartImageRefs(
  values: { image: { repository: string; tag?: string }; server?: { image?: { repository?: string; tag?: string } } },
  chart: { appVersion: string },
): { runner: string; server: string };
