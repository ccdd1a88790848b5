//! Counted nouns for the lines people read ("1 rule", "3 rules"): every
//! summary line says it the same way instead of each writing its own
//! `if n == 1` (and some forgetting to).

/// `n` and `noun`, with an `s` unless `n` is 1 (the nouns clawcheck counts
/// all take a plain `s`).
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_number_plural() {
        assert_eq!(count(0, "rule"), "0 rules");
        assert_eq!(count(1, "rule"), "1 rule");
        assert_eq!(count(2, "example"), "2 examples");
    }
}
