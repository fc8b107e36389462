"""The app's CSS: readable cards and badges (text plus colour, 4.5:1 contrast), a visible focus ring
(3:1 or better), and a layout that keeps the question box and Browse table usable at 390 px."""

CSS = """
.card{border:1px solid #4b5563;border-radius:8px;padding:10px 12px;margin:8px 0;background:#fff;color:#111}
.card h3{margin:0 0 4px 0;font-size:1rem;color:#111}.card .label{font-weight:600}
.badge{display:inline-block;border-radius:4px;padding:1px 8px;font-weight:600;font-size:.85rem;border:1px solid}
.badge.ok{background:#d1fae5;color:#064e3b}.badge.no{background:#fee2e2;color:#7f1d1d}
.badge.chk{background:#fef3c7;color:#713f12}.badge.via{background:#dbeafe;color:#1e3a8a}
.badge.none{background:#e5e7eb;color:#111}.badge.ended{background:#f3f4f6;color:#7f1d1d}.status-ended{color:#7f1d1d;font-weight:600}
.card a{color:#1d4ed8;text-decoration:underline}.meta{color:#374151;font-size:.9rem}
#footer{color:#374151;font-size:.85rem}
#stale-statuses p, #stale-statuses td, #stale-statuses th{color:#111 !important}
.subdued{color:#4b5563 !important}
.selected{color:#9a3412 !important}
button.primary, .primary{background:#9a3412 !important;border-color:#9a3412 !important;color:#fff !important}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
:focus-visible, input:focus, textarea:focus, select:focus, button:focus{outline:3px solid #1d4ed8 !important;
  outline-offset:2px !important}
#browse-table table{table-layout:fixed;width:100%}
#browse-table th, #browse-table td{white-space:normal;word-break:normal;overflow-wrap:anywhere}
.cards-head{font-size:1.05rem;margin:12px 0 4px 0}
.or, .upload-container .or{color:#374151 !important}
button[role=tab]:focus-visible, button[role=tab]:focus{outline-offset:-3px !important}
#chat button[aria-label=Like], #chat button[aria-label=Dislike]{min-width:28px !important;min-height:28px !important;
  padding:4px !important}
#chat button[aria-label=Like] svg, #chat button[aria-label=Dislike] svg{width:20px !important;height:20px !important}
#browse-cards{display:none}
#browse-cards ul{list-style:none;padding:0;margin:0}#browse-cards li{border-bottom:1px solid #4b5563;padding:6px 0}
#browse-cards .name{font-weight:600}#browse-cards a{color:#1d4ed8}
@media (max-width:640px){.card{padding:8px}#browse-table{display:none !important}#browse-cards{display:block}}
"""
