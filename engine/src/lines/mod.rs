//! Line and column numbers of byte offsets, without rescanning the text.
//!
//! Every report names the line and column of each finding, and miette
//! finds the lines around every snippet. Counting line breaks from the
//! start of the file each time costs the file's size per location, so a
//! report of many findings on a large config grows with the square of its
//! size. A [`LineIndex`] is built once per text (one pass, about 1.6% of
//! the text's size) and answers a position by scanning at most one block;
//! [`read_span`] gives miette the lines around a span from a window of the
//! text instead of the whole of it (the human report's masked sources read
//! through it).

mod index;
mod window;

pub use index::LineIndex;
pub use window::read_span;
