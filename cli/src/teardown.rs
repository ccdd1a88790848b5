//! Skipping the teardown of what one run built when the process ends right
//! after it.
//!
//! The built-in pack is a tree of some hundred thousand small allocations;
//! freeing them one by one took about a tenth of a whole `clawcheck audit`
//! just before the process exits and the operating system reclaims its
//! memory at once; so were the trees, views and findings of a large config
//! (a sixth of auditing a 3 MB one). `main.rs` says the process ends after [`crate::run`]; the
//! tests, which call [`crate::run`] many times in one process, do not, and
//! free everything as usual.

use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};

static PROCESS_ENDS_AFTER_RUN: AtomicBool = AtomicBool::new(false);

/// Called by `main.rs`: the process exits when [`crate::run`] returns.
pub fn process_ends_after_run() {
    PROCESS_ENDS_AFTER_RUN.store(true, Ordering::Relaxed);
}

/// A value that is not freed at the end of the run when the process ends
/// with it (only memory: nothing kept this way owns a file or a lock).
pub struct LeftToExit<T>(Option<T>);

impl<T> LeftToExit<T> {
    pub fn new(value: T) -> LeftToExit<T> {
        LeftToExit(Some(value))
    }
}

impl<T> Deref for LeftToExit<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_ref().expect("taken only when dropped")
    }
}

impl<T> Drop for LeftToExit<T> {
    fn drop(&mut self) {
        if let Some(value) = self.0.take()
            && PROCESS_ENDS_AFTER_RUN.load(Ordering::Relaxed)
        {
            std::mem::forget(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;

    #[test]
    fn freed_unless_the_process_ends_after_the_run() {
        let counted = Rc::new(());
        drop(LeftToExit::new(counted.clone()));
        assert_eq!(Rc::strong_count(&counted), 1, "freed as usual");
        process_ends_after_run();
        let kept = LeftToExit::new(counted.clone());
        assert_eq!(Rc::strong_count(&*kept), 2);
        drop(kept);
        assert_eq!(Rc::strong_count(&counted), 2, "left to the exit");
        PROCESS_ENDS_AFTER_RUN.store(false, Ordering::Relaxed);
    }
}
