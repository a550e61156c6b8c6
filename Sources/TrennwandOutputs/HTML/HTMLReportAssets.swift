import Crypto
import Foundation
import TrennwandFindings

/// The report's fixed inline CSS and script, the script's CSP hash, and its HTML escaping.
enum HTMLReportAssets {
    /// Filters over `data-*` attributes of `article.finding`: minimum severity (rank), rule, norm,
    /// status. Pure DOM, no network, works from `file://`. Event handlers are attached here, not
    /// inline (`onchange=`), because the CSP allows only this script by hash.
    static let script = """
    (function () {
      var selects = document.querySelectorAll('#filters select');
      function apply() {
        var v = {};
        for (var i = 0; i < selects.length; i++) { v[selects[i].name] = selects[i].value; }
        var items = document.querySelectorAll('article.finding');
        var shown = 0;
        for (var j = 0; j < items.length; j++) {
          var a = items[j], d = a.dataset, ok = true;
          if (v.severity && Number(d.rank) < Number(v.severity)) { ok = false; }
          if (v.rule && d.rule !== v.rule) { ok = false; }
          if (v.norm && d.norms.indexOf('|' + v.norm + '|') < 0) { ok = false; }
          if (v.status && d.status !== v.status) { ok = false; }
          a.hidden = !ok;
          if (ok) { shown++; }
        }
        document.getElementById('shown').textContent = String(shown);
      }
      for (var k = 0; k < selects.length; k++) { selects[k].addEventListener('change', apply); }
      document.getElementById('reset').addEventListener('click', function () {
        for (var k = 0; k < selects.length; k++) { selects[k].value = ''; }
        apply();
      });
      apply();
    })();
    """

    /// `'sha256-…'` source expression for the CSP: base64 of SHA-256 over the script's UTF-8 bytes.
    static let scriptHash: String = {
        let digest = SHA256.hash(data: Array(script.utf8))
        return "'sha256-" + Data(digest).base64EncodedString() + "'"
    }()

    /// No network at all: nothing but this document's inline style and the hashed inline script.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src \(scriptHash); img-src 'none'; base-uri 'none'; form-action 'none'"

    static let style = """
    :root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa; }
    * { box-sizing: border-box; }
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
    main { display: flex; flex-direction: column; max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
    #run { order: 0; } #summary { order: 1; } #filters { order: 2; } #findings { order: 3; } #accounting { order: 4; }
    h1 { font-size: 1.5rem; margin: .5rem 0; } h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); }
    h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
    table { border-collapse: collapse; margin: .3rem 0 1rem; } th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; }
    td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
    .tables { display: flex; flex-wrap: wrap; gap: 0 2rem; }
    #filters { background: var(--soft); border: 1px solid var(--line); padding: .5rem 1rem; margin-top: 1rem; }
    #filters label { margin-right: 1rem; }
    article.finding { border: 1px solid var(--line); border-left: 6px solid var(--line); padding: .6rem 1rem; margin: .6rem 0; }
    article.finding[data-status="waived"] { opacity: .75; }
    [hidden] { display: none !important; }
    .badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .8rem; color: #fff; background: #57606a; }
    .sev-critical { border-left-color: #82071e !important; } .badge.sev-critical { background: #82071e; }
    .sev-high { border-left-color: #cf222e !important; } .badge.sev-high { background: #cf222e; }
    .sev-medium { border-left-color: #bc4c00 !important; } .badge.sev-medium { background: #bc4c00; }
    .sev-low { border-left-color: #0969da !important; } .badge.sev-low { background: #0969da; }
    .sev-info { border-left-color: #57606a !important; } .badge.sev-info { background: #57606a; }
    .badge.gap { background: #8250df; } .badge.waived { background: #1a7f37; }
    .art33 { background: #fff1e5; border: 1px solid #bc4c00; padding: .4rem .6rem; }
    .waiver { background: #dafbe1; border: 1px solid #1a7f37; padding: .4rem .6rem; }
    .loc, .muted { color: var(--muted); } code { font-size: .9em; background: var(--soft); padding: 0 .2rem; }
    @media print { #filters { display: none; } article.finding { break-inside: avoid; } }
    """

    /// HTML text and attribute values, through the one markup escaper (`MarkupEscaper`, `.html`):
    /// `& < > " '` become entities, control characters other than TAB, LF, CR become U+FFFD.
    static func escape(_ s: String) -> String { MarkupEscaper.escape(s, .html) }

    /// Norm citations joined for `data-norms` (`|a|b|`); `|` inside a citation becomes `¦`.
    static func normKey(_ citation: String) -> String {
        String(citation.map { $0 == "|" ? "¦" : $0 })
    }
}

/// The report's HTML escaper for other HTML pages of the tool (the rule catalogue).
package func htmlEscape(_ s: String) -> String { HTMLReportAssets.escape(s) }
