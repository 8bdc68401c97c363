import type { AgreementResponse } from "./agreements.schemas.ts";

/**
 * The individual terms of an agreement as a printable page in the Bank of Russia's table layout (Указание
 * № 5966-У: numbered conditions, «№ / Условие / Содержание условия»), with the PSK in a frame in the top
 * right corner of the first page (353-FZ art. 6 part 14: in a frame, at least 5 % of the page, in the
 * largest print of the page). A pure function of the agreement's answer: the route only serves it.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (v: string | number): string => String(v).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** "300000.00" → "300 000,00": the Russian grouping a printed agreement uses. */
export function roubles(amount: string): string {
  const [whole, cents] = amount.split(".");
  const sign = whole!.startsWith("-") ? "−" : "";
  return `${sign}${whole!.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0")},${cents ?? "00"}`;
}

const percent = (p: string) => `${p.replace(".", ",")}\u00a0%`;
const ruDate = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

type Row = AgreementResponse["schedule"][number] & { periodEnd?: string };

function pskFrame(a: AgreementResponse): string {
  const psk = a.psk;
  const body = psk
    ? `<div class="psk-percent">${esc(percent(psk.percent))}</div>
       <div class="psk-amount">${esc(roubles(psk.amount))}&nbsp;₽</div>
       <div class="psk-note">${psk.final ? "" : "расчёт предварительный: даты платежей уточнятся в день выдачи"}</div>`
    : `<div class="psk-note">не рассчитана</div>`;
  return `<aside class="psk-frame" id="psk" aria-label="Полная стоимость кредита">
    <div class="psk-title">ПОЛНАЯ СТОИМОСТЬ КРЕДИТА</div>${body}</aside>`;
}

function conditions(a: AgreementResponse): string {
  const last = a.schedule.at(-1);
  const rows: Array<[string, string, string]> = [
    ["1", "Сумма кредита", `${roubles(a.principal)} ₽, из них к выдаче ${roubles(a.disbursementAmount)} ₽`],
    [
      "2",
      "Срок действия договора, срок возврата кредита",
      `${a.termMonths} мес.${last ? `, до ${ruDate(last.dueDate)}` : ""}`,
    ],
    ["3", "Валюта кредита", "Российский рубль"],
    ["4", "Процентная ставка", `${percent(a.interestRate)} годовых`],
    [
      "6",
      "Количество, размер и периодичность платежей",
      `ежемесячно, платежей: ${a.schedule.length}, по ${roubles(a.monthlyPayment)} ₽ (по графику ниже)`,
    ],
    ["15", "Услуги, оказываемые кредитором за отдельную плату", `Комиссия за выдачу ${roubles(a.originationFee)} ₽`],
  ];
  const tr = rows.map(([n, what, value]) => `<tr><td>${n}</td><td>${esc(what)}</td><td>${esc(value)}</td></tr>`);
  return `<table class="conditions"><thead><tr><th>№</th><th>Условие</th><th>Содержание условия</th></tr></thead>
    <tbody>${tr.join("")}</tbody></table>`;
}

function schedule(a: AgreementResponse): string {
  let moved = false;
  const tr = (a.schedule as Row[]).map((r) => {
    const shift = r.periodEnd !== undefined && r.periodEnd !== r.dueDate;
    moved ||= shift;
    const date = shift
      ? `<span class="moved" title="перенесено с ${esc(ruDate(r.periodEnd!))}">${esc(ruDate(r.dueDate))}*</span>`
      : esc(ruDate(r.dueDate));
    const cells = [r.payment, r.principal, r.interest, r.balance].map((m) => `<td class="num">${esc(roubles(m))}</td>`);
    return `<tr><td>${r.period}</td><td>${date}</td>${cells.join("")}</tr>`;
  });
  const note = moved ? `<p class="note">* дата перенесена на ближайший рабочий день (ГК РФ ст. 193)</p>` : "";
  return `<h2>График платежей</h2><table class="schedule"><thead><tr><th>№</th><th>Дата платежа</th>
    <th>Платёж</th><th>Основной долг</th><th>Проценты</th><th>Остаток</th></tr></thead>
    <tbody>${tr.join("")}</tbody></table>${note}`;
}

const STYLE = `@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.35 "DejaVu Sans", Arial, sans-serif; margin: 0; color: #000; }
header { display: flex; justify-content: space-between; align-items: flex-start; gap: 8mm; }
h1 { font-size: 12pt; margin: 0 0 2mm; } h2 { font-size: 11pt; margin: 6mm 0 2mm; }
.psk-frame { flex: none; border: 2px solid #000; padding: 3mm 4mm; width: 78mm; min-height: 42mm; text-align: center; }
.psk-title { font-size: 10pt; font-weight: bold; }
.psk-percent, .psk-amount { font-size: 20pt; font-weight: bold; line-height: 1.25; }
.psk-note { font-size: 8pt; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #000; padding: 1mm 2mm; vertical-align: top; }
.num { text-align: right; white-space: nowrap; } .moved { font-weight: bold; } .note { font-size: 8pt; }
@media screen { body { max-width: 180mm; margin: 10mm auto; } }`;

export function termsSheet(a: AgreementResponse): string {
  return `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Индивидуальные условия ${esc(a.id)}</title>
<style>${STYLE}</style></head>
<body><header><div><h1>Индивидуальные условия договора потребительского кредита</h1>
<p>Договор ${esc(a.id)}<br>Продукт ${esc(a.productCode)}<br>Статус ${esc(a.status)}</p></div>${pskFrame(a)}</header>
${conditions(a)}
${schedule(a)}
</body></html>`;
}
