//! Rendering miette diagnostics for the error stream.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use crate::Io;

pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false)
}

pub fn render(diag: &dyn Diagnostic, color: bool) -> String {
    let mut out = String::new();
    if handler(color).render_report(&mut out, diag).is_err() {
        out = format!("error: {diag}\n");
    }
    out
}

pub fn eprint(io: &mut Io, diag: &dyn Diagnostic, color: bool) {
    let text = render(diag, color);
    let _ = write!(io.err, "{text}");
}

/// Prints every error of a pack, then a count.
pub fn eprint_pack_errors(io: &mut Io, errors: &clawcheck_engine::rules::PackErrors, color: bool) {
    for e in &errors.0 {
        eprint(io, e, color);
        let _ = writeln!(io.err);
    }
    let _ = writeln!(io.err, "error: {errors}");
}
