// The HTML page's stylesheet, inline in the page (its Content-Security-Policy allows inline styles
// only): GitHub-like colours, the matrix cells coloured by their share of the best path.

export const HTML_STYLE = `
:root{--good:#1a7f37;--good-bg:#dafbe1;--fair:#7d4e00;--fair-bg:#fff1c2;--poor:#a40e26;--poor-bg:#ffd8d3;
--fail-bg:#cf222e;--muted:#6e7781;--line:#d0d7de}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:24px;color:#1f2328;background:#fff;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{margin:0;font-size:22px}h2{font-size:16px;margin:28px 0 8px}
.sub,.hint,footer{color:var(--muted)}.hint{margin:0 0 8px}
.figures{display:flex;flex-wrap:wrap;gap:8px;margin:0}
.figures div{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:110px}
.figures dt{font-size:12px;color:var(--muted)}.figures dd{margin:0;font-size:18px;font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
.matrix th,.matrix td{border:1px solid #fff;padding:6px 10px;min-width:72px;text-align:right;
font-variant-numeric:tabular-nums;white-space:nowrap}
.matrix thead th,.matrix tbody th{background:#f6f8fa;color:#1f2328}
.matrix .corner{color:var(--muted);font-weight:normal;font-size:12px}
.matrix small{display:block;font-size:11px;opacity:.8}
td.good,.legend .good{background:var(--good-bg);color:var(--good)}
td.fair,.legend .fair{background:var(--fair-bg);color:var(--fair)}
td.poor,.legend .poor{background:var(--poor-bg);color:var(--poor);font-weight:600}
td.fail,.legend .fail{background:var(--fail-bg);color:#fff;font-weight:600;text-align:center}
td.skip,td.untested,.legend .skip{background:#eaeef2;color:var(--muted);text-align:center}
td.self{background:#f6f8fa;color:#afb8c1;text-align:center}
.legend span{display:inline-block;padding:2px 8px;border-radius:4px;margin-right:4px;font-size:12px}
.failures th,.failures td{border-bottom:1px solid var(--line);padding:6px 10px;text-align:left;vertical-align:top}
.failures td:nth-child(5){max-width:520px;overflow-wrap:anywhere}
.none{color:var(--good)}
footer{margin-top:32px;font-size:12px}
`;
