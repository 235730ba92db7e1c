interface MeterProps {
  label: string;
  /** Percent of the limit used, 0..100 (may exceed 100 when a limit is breached). */
  value: number;
  detail?: string;
}

/** A horizontal gauge that turns amber then red as a limit is approached. */
export function Meter({ label, value, detail }: MeterProps) {
  const v = Number.isFinite(value) ? value : 0;
  const level = v >= 85 ? 'bad' : v >= 60 ? 'warn' : 'ok';
  return (
    <div className="meter">
      <div className="meter-head">
        <span>{label}</span>
        <span className={`num ${level}`}>{v.toFixed(1)}%</span>
      </div>
      <div className="meter-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(v * 10) / 10}>
        <div className={`meter-fill ${level}`} style={{ width: `${Math.min(100, Math.max(0, v))}%` }} />
      </div>
      {detail && <div className="meter-detail dim">{detail}</div>}
    </div>
  );
}
