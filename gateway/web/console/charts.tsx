/**
 * The console's charts: small SVG drawn here, no chart library and nothing from another host, so
 * the page works offline. Each chart has a table beside it holding the same numbers.
 */

export const PALETTE = ['#0b5cad', '#d9730d', '#2f855a', '#9b2c9b', '#c53030', '#2b8a9e', '#8a6d1d', '#4a5568'];

/** Requests per time bucket, one stacked colour per series (consumer and purpose). */
export function StackedBars(props: {
  title: string;
  buckets: readonly string[];
  series: readonly { label: string; values: readonly number[] }[];
}) {
  const { buckets, series } = props;
  const width = 760;
  const height = 220;
  const left = 40;
  const bottom = 36;
  const totals = buckets.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const scale = (height - bottom - 10) / max;
  const slot = (width - left - 30) / Math.max(1, buckets.length);
  const bar = Math.max(2, slot * 0.7);
  // About eight labels on the axis, whatever the number of buckets.
  const every = Math.max(1, Math.ceil(buckets.length / 8));
  const ticks = [0, Math.round(max / 2), max].filter((v, i, all) => all.indexOf(v) === i);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title}>
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              x1={left}
              x2={width - 10}
              y1={height - bottom - tick * scale}
              y2={height - bottom - tick * scale}
              stroke="#d9e2ec"
            />
            <text x={left - 6} y={height - bottom - tick * scale + 4} textAnchor="end" fontSize="11">
              {tick}
            </text>
          </g>
        ))}
        {buckets.map((bucket, i) => {
          let y = height - bottom;
          const x = left + i * slot + (slot - bar) / 2;
          return (
            <g key={bucket}>
              {series.map((s, k) => {
                const value = s.values[i] ?? 0;
                if (!value) return null;
                y -= value * scale;
                return (
                  <rect key={s.label} x={x} y={y} width={bar} height={value * scale} fill={PALETTE[k % PALETTE.length]}>
                    <title>{`${bucket} · ${s.label}: ${value}`}</title>
                  </rect>
                );
              })}
              {i % every === 0 && (
                <text x={x + bar / 2} y={height - bottom + 14} textAnchor="middle" fontSize="10">
                  {bucket.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <Legend labels={series.map((s) => s.label)} />
      </figcaption>
    </figure>
  );
}

/** Per field, how often it was released, masked and withheld: one horizontal bar each. */
export function FieldBars(props: {
  title: string;
  rows: readonly { field: string; released: number; masked: number; denied: number }[];
  labels: { released: string; masked: string; denied: string };
}) {
  const { rows, labels } = props;
  const width = 760;
  const line = 22;
  const left = 200;
  const height = rows.length * line + 10;
  const max = Math.max(1, ...rows.map((r) => r.released + r.masked + r.denied));
  const scale = (width - left - 50) / max;
  const colours = { released: '#2f855a', masked: '#d9730d', denied: '#c53030' } as const;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title}>
        {rows.map((row, i) => {
          let x = left;
          const y = 5 + i * line;
          return (
            <g key={row.field}>
              <text x={left - 8} y={y + 14} textAnchor="end" fontSize="12" fontFamily="monospace">
                {row.field}
              </text>
              {(['released', 'masked', 'denied'] as const).map((kind) => {
                const value = row[kind];
                if (!value) return null;
                const w = value * scale;
                x += w;
                return (
                  <rect key={kind} x={x - w} y={y + 3} width={w} height={line - 8} fill={colours[kind]}>
                    <title>{`${row.field} · ${labels[kind]}: ${value}`}</title>
                  </rect>
                );
              })}
              <text x={x + 6} y={y + 14} fontSize="11">
                {row.released + row.masked + row.denied}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <Legend labels={[labels.released, labels.masked, labels.denied]} colours={Object.values(colours)} />
      </figcaption>
    </figure>
  );
}

function Legend({ labels, colours = PALETTE }: { labels: readonly string[]; colours?: readonly string[] }) {
  return (
    <ul className="legend">
      {labels.map((label, i) => (
        <li key={label}>
          <span className="swatch" style={{ background: colours[i % colours.length] }} />
          {label}
        </li>
      ))}
    </ul>
  );
}
