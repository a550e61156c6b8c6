/// The HTML report's stylesheet for other front ends (the review workspace of `trennwand serve`
/// serves it as its own `style.css`), so badges, tables and colours look the same in both.
package enum ReportStylesheet {
    package static var css: String { HTMLReportAssets.style }
}
