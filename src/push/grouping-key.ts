// A Pushgateway group's URL path: /metrics/job/<job>/<label>/<value>... Values that are not plain
// URL-safe words (a "/", a space, unicode, or empty) use the `<label>@base64/<base64url>` form the
// Pushgateway defines, so no node name can add a path segment or a label.

const PLAIN = /^(?!\.\.?$)[A-Za-z0-9._~-]+$/;

export function groupPath(labels: ReadonlyArray<readonly [string, string]>): string {
  return (
    '/metrics' +
    labels
      .map(([name, value]) => {
        if (PLAIN.test(value)) return `/${name}/${value}`;
        const b64 = value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url');
        return `/${name}@base64/${b64}`;
      })
      .join('')
  );
}
