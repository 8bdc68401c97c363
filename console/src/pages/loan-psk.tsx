import { token } from "../api.ts";
import type { Agreement } from "../types.ts";

/**
 * Opens PE's printable terms sheet in a new tab. A plain link would not carry the operator's key, so the
 * page is fetched with it and shown from a blob URL.
 */
async function openTerms(id: string): Promise<void> {
  const tab = window.open("", "_blank");
  const t = token.get();
  const r = await fetch(`/api/pe/agreements/${encodeURIComponent(id)}/terms`, {
    headers: t ? { authorization: `Bearer ${t}` } : {},
  });
  const html = await r.text();
  const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  if (tab) tab.location.href = url;
  else window.location.href = url;
}

/** The PSK in a frame, as the law wants it on the first page of the individual terms (353-FZ art. 6). */
export function PskFrame({ a }: { a: Agreement }) {
  const psk = a.psk;
  return (
    <aside class="psk-frame" aria-label="Full cost of credit">
      <div class="psk-title">Full cost of credit (PSK)</div>
      {psk ? (
        <>
          <div class="psk-figure">{psk.percent} %</div>
          <div class="psk-figure">{psk.amount} ₽</div>
          <div class="muted">
            {psk.final ? "final" : "indicative"}, schedule version {psk.scheduleVersion}
          </div>
        </>
      ) : (
        <div class="muted">not computed</div>
      )}
      <a
        href={`/api/pe/agreements/${encodeURIComponent(a.id)}/terms`}
        onClick={(e) => {
          e.preventDefault();
          void openTerms(a.id);
        }}
      >
        Terms sheet
      </a>
    </aside>
  );
}
