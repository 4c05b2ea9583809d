# ruff: noqa: E501
"""The Jinja2 template of the scorecard page (autoescaped; geometry comes precomputed from html.py).

Kept apart from the code because it is markup, one long line per table row.
"""

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vidsleuth scorecard — {{ ds.name }}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1180px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0 1.2em}td,th{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-size:90%}.plots{display:flex;flex-wrap:wrap;gap:14px}
figure{margin:0}figcaption{font-size:12px;color:#555}.pos{fill:#c0392b}.neg{fill:#1b4f9c}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em 1em}h2{border-bottom:2px solid #ddd;margin-top:2em}
</style></head><body>
<h1>vidsleuth scorecard</h1>
<ul>
<li>created {{ card.created_at }} by vidsleuth {{ card.tool_version }} (commit {{ card.commit or "unknown" }})</li>
<li>dataset <code>{{ ds.name }}</code> (digest {{ ds.digest }}): {{ ds.items }} videos —
{% for k, v in (ds.classes or {}).items() %}{{ k }} {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}</li>
<li>left out (not videos): {{ ds.excluded or "none" }}; missing files: {{ (ds.missing or [])|length }}</li>
<li>signals: {% for k, v in (card.signals or {}).items() %}{{ k }} {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}</li>
<li>verdicts from {{ (card.calibration or {}).name or "rules@1" }} (policy {{ (card.calibration or {}).policy or "rules@1" }})</li>
<li>95 % intervals: Wilson for rates, DeLong for AUC (a Wilson stand-in when an AUC is 0 or 1)</li>
</ul>
{% if card.note %}<p class="note">{{ card.note }}</p>{% endif %}
{% macro roc(r) %}<svg width="{{ r.full + 170 }}" height="{{ r.full }}" viewBox="0 0 {{ r.full + 170 }} {{ r.full }}" role="img">
<rect x="{{ r.margin }}" y="{{ r.margin }}" width="{{ r.size }}" height="{{ r.size }}" fill="none" stroke="#999"/>
<line x1="{{ r.margin }}" y1="{{ r.margin + r.size }}" x2="{{ r.margin + r.size }}" y2="{{ r.margin }}" stroke="#ccc" stroke-dasharray="4"/>
<text x="{{ r.margin }}" y="{{ r.full - 8 }}" font-size="11">false-positive rate →</text>
<text x="4" y="{{ r.margin - 10 }}" font-size="11">true-positive rate ↑</text>
{% for c in r.curves %}<polyline points="{{ c.points }}" fill="none" stroke="{{ c.colour }}" stroke-width="2"><title>{{ c.name }}: AUC {{ c.auc }}</title></polyline>
<rect x="{{ r.full + 4 }}" y="{{ r.margin + c.y - 8 }}" width="10" height="10" fill="{{ c.colour }}"/>
<text x="{{ r.full + 18 }}" y="{{ r.margin + c.y }}" font-size="10">{{ c.name }}</text>{% endfor %}
</svg>{% endmacro %}
{% macro hist(h) %}<figure><svg width="{{ h.w }}" height="{{ h.h }}" viewBox="0 0 {{ h.w }} {{ h.h }}" role="img">
{% for b in h.bars %}<rect class="{{ b.cls }}" x="{{ '%.1f'|format(b.x) }}" y="{{ '%.1f'|format(b.y) }}" width="{{ '%.1f'|format(b.w) }}" height="{{ '%.1f'|format(b.h) }}"><title>{{ b.tip }}</title></rect>{% endfor %}
<line x1="24" y1="{{ h.base }}" x2="{{ h.w - 24 }}" y2="{{ h.base }}" stroke="#999"/>
<text x="24" y="{{ h.h - 6 }}" font-size="10">{{ h.lo }}</text><text x="{{ h.w - 40 }}" y="{{ h.h - 6 }}" font-size="10">{{ h.hi }}</text>
<text x="24" y="14" font-size="10">max bin {{ h.top }}</text></svg>
<figcaption>{{ h.title }} — <span style="color:#c0392b">positives</span>, <span style="color:#1b4f9c">negatives</span></figcaption></figure>{% endmacro %}
{% for c in conditions %}
<h2>Condition <code>{{ c.name }}</code>: {{ c.description }}</h2>
<p>{{ c.items }} items; {{ c.errors|length }} could not be analysed.</p>
{% for q in c.questions %}
<h3>{{ q.title }}</h3>
<p>{{ q.positives }} positives, {{ q.negatives }} negatives. Fused verdict AUC {{ q.auc }} (bootstrap {{ q.auc_boot }});
fused score AUC {{ q.fused_auc }}.</p>
<table><tr><th>threshold</th><th>recall</th><th>false-positive rate</th><th>precision</th></tr>
{% for row in q.at %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td><td>{{ row[2] }}</td><td>{{ row[3] }}</td></tr>{% endfor %}</table>
<div class="plots">{% if q.roc %}<figure>{{ roc(q.roc) }}<figcaption>ROC curves (hover a curve for its AUC)</figcaption></figure>{% endif %}
{% if q.verdict_hist %}{{ hist(q.verdict_hist) }}{% endif %}{% if q.fused_hist %}{{ hist(q.fused_hist) }}{% endif %}</div>
{% if q.signal_rows %}<table><tr><th>signal</th><th>status</th><th>AUC</th><th>recall at ≥ 0.4</th><th>FPR at ≥ 0.4</th><th>alone: negatives called AI</th><th>alone: positives called AI</th></tr>
{% for s in q.signal_rows %}<tr><td>{{ s.name }}</td><td>{% for k, n in s.status.items() %}{{ k }} {{ n }} {% endfor %}</td><td>{{ s.auc }}</td><td>{{ s.recall }}</td><td>{{ s.fpr }}</td><td>{{ s.alone_neg }}</td><td>{{ s.alone_pos }}</td></tr>{% endfor %}</table>
<div class="plots">{% for h in q.signal_hists %}{{ hist(h) }}{% endfor %}</div>{% endif %}
{% if q.features %}<table><tr><th>measurement (declared direction)</th><th>AUC</th><th>items</th></tr>
{% for f in q.features %}<tr><td>{{ f.name }}</td><td>{{ f.auc }}</td><td>{{ f.items }} (missing {{ f.missing }})</td></tr>{% endfor %}</table>{% endif %}
{% if q.generators %}<table><tr><th>generator family</th><th>items</th><th>called "likely AI"</th><th>flagged or more</th><th>AUC vs all negatives</th></tr>
{% for g in q.generators %}<tr><td>{{ g.name }}</td><td>{{ g.items }}</td><td>{{ g.likely }}</td><td>{{ g.check }}</td><td>{{ g.auc }}</td></tr>{% endfor %}</table>{% endif %}
{% if q.sources %}<table><tr><th>source</th><th>positives</th><th>negatives</th><th>called "likely AI"</th><th>flagged or more</th></tr>
{% for s in q.sources %}<tr><td>{{ s.name }}</td><td>{{ s.pos }}</td><td>{{ s.neg }}</td><td>{{ s.likely }}</td><td>{{ s.check }}</td></tr>{% endfor %}</table>{% endif %}
{% endfor %}
<h3>Verdicts per class (confusion matrix)</h3>
<table><tr><th>class</th><th>items</th>{% for v in c.verdict_names %}<th>{{ v }}</th>{% endfor %}<th>inconclusive share</th></tr>
{% for k in c.classes %}<tr><td>{{ k.name }}</td><td>{{ k.items }}</td>{% for v in c.verdict_names %}<td>{{ k.verdicts.get(v, 0) }}</td>{% endfor %}<td>{{ k.inconclusive }}</td></tr>{% endfor %}</table>
{% for kind, title in (("false_positives", "False positives (negatives flagged)"), ("misses", "Misses (positives not called AI)")) %}
<h3>{{ title }}: {{ c.worst.get(kind ~ "_total", 0) }}</h3><ul>
{% for e in c.worst.get(kind, []) %}<li><code>{{ e.path }}</code> ({{ e["class"] }}{% if e.generator %}, {{ e.generator }}{% endif %}): {{ e.headline }}{% if e.report %} — <a href="{{ e.report }}">report</a>{% endif %}</li>{% endfor %}
</ul>{% endfor %}
{% if c.errors %}<h3>Not analysed</h3><ul>{% for e in c.errors %}<li><code>{{ e.path }}</code>: {{ e.error }}</li>{% endfor %}</ul>{% endif %}
{% endfor %}
</body></html>
"""
