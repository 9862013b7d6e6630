"""Screening reports as a pre-screener reads them: a table per patient, or HTML."""

from __future__ import annotations

import html
from typing import Any

from rich.console import Console
from rich.table import Table

STYLE = {"met": "green", "not_met": "red", "unknown": "yellow"}
STATUS_STYLE = {"eligible": "bold green", "ineligible": "bold red", "needs_review": "bold yellow"}


def _source(c: dict[str, Any]) -> tuple[str, str]:
    ev = c["evidence"]
    if not ev:
        return "", ""
    first = ev[0]
    return first["doc_id"], first["date"] or ""


def print_report(report: dict[str, Any], console: Console) -> None:
    v = report["versions"]
    console.print(f"trial {v['trial']} · pipeline {v['pipeline']} · model {v['model']}")
    for p in report["patients"]:
        console.print()
        console.print(
            f"[{STATUS_STYLE.get(p['status'], 'bold')}]{p['patient_id']}: {p['status']}[/]"
            f"  (as of {p['as_of'] or 'undated'})"
        )
        t = Table(show_lines=False)
        for col in ("criterion", "status", "conf", "value", "source", "date", "reason"):
            t.add_column(col, overflow="fold")
        for c in p["criteria"]:
            doc, date = _source(c)
            t.add_row(
                c["id"],
                f"[{STYLE[c['status']]}]{c['status']}[/]",
                f"{c['confidence']:.2f}",
                c["value"] or "",
                doc,
                date,
                c["reason"],
            )
        console.print(t)
        if p["review_items"]:
            console.print("[bold]to confirm (most decisive first):[/]")
            for i, item in enumerate(p["review_items"], 1):
                console.print(f"  {i}. {item['criterion_id']}: {item['reason']}", highlight=False)
        if p["pending_manual"]:
            ids = ", ".join(m["id"] for m in p["pending_manual"])
            console.print(f"[dim]pending manual confirmation: {ids}[/]")


def render_html(report: dict[str, Any]) -> str:
    e = html.escape
    v = report["versions"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>prescreen report</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;"
        "text-align:left}.met{color:#060}.not_met{color:#a00}.unknown{color:#a60}"
        "mark{background:#ffe9a8}</style></head><body>",
        f"<h1>Pre-screening: {e(report['trial'])}</h1>",
        f"<p>trial {e(v['trial'])} · pipeline {e(v['pipeline'])} · model {e(v['model'])}</p>",
    ]
    for p in report["patients"]:
        parts.append(
            f"<h2>{e(p['patient_id'])}: <span class='{e(p['status'])}'>"
            f"{e(p['status'])}</span> <small>as of {e(str(p['as_of']))}</small></h2>"
        )
        parts.append(
            "<table><tr><th>criterion</th><th>status</th><th>confidence</th>"
            "<th>value</th><th>evidence</th><th>reason</th></tr>"
        )
        for c in p["criteria"]:
            ev = "<br>".join(
                f"{e(x['doc_id'])} {e(x['date'] or '')}: <mark>{e(x['text'])}</mark>"
                for x in c["evidence"][:3]
            )
            parts.append(
                f"<tr><td>{e(c['id'])}</td><td class='{e(c['status'])}'>{e(c['status'])}</td>"
                f"<td>{c['confidence']:.2f}</td><td>{e(c['value'] or '')}</td><td>{ev}</td>"
                f"<td>{e(c['reason'])}</td></tr>"
            )
        parts.append("</table>")
        if p["review_items"]:
            parts.append("<p><b>To confirm (most decisive first):</b></p><ol>")
            parts.extend(
                f"<li>{e(i['criterion_id'])}: {e(i['reason'])}</li>" for i in p["review_items"]
            )
            parts.append("</ol>")
        if p["pending_manual"]:
            parts.append(
                "<p>Pending manual confirmation: "
                f"{e(', '.join(m['id'] for m in p['pending_manual']))}</p>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)
