//! Printing miette diagnostics to stderr.

use std::io::IsTerminal;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use crate::args::ColorChoice;

pub fn handler(color: ColorChoice) -> GraphicalReportHandler {
    let theme = if color.enabled(std::io::stderr().is_terminal()) {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false)
}

pub fn render(diag: &dyn Diagnostic, color: ColorChoice) -> String {
    let mut out = String::new();
    if handler(color).render_report(&mut out, diag).is_err() {
        out = format!("error: {diag}\n");
    }
    out
}

pub fn eprint(diag: &dyn Diagnostic, color: ColorChoice) {
    eprint!("{}", render(diag, color));
}

/// Prints every error of a pack, then a count.
pub fn eprint_pack_errors(errors: &clawcheck_engine::rules::PackErrors, color: ColorChoice) {
    for e in &errors.0 {
        eprint(e, color);
        eprintln!();
    }
    eprintln!("error: {errors}");
}
