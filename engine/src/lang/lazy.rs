//! Parts of a precompiled pack decoded on first use.
//!
//! Reading the built-in pack whole decoded the compiled expressions of
//! every definition and rule on every run, though an audit calls a
//! fraction of the definitions (a config without channels calls none of
//! the channels' helpers). A [`Lazy`] part is written as its own
//! MessagePack encoding, a byte string inside the pack's, and decoded the
//! first time it is read; the bytes are borrowed from the binary when the
//! pack is read with [`from_static`] (the embedded built-in pack), copied
//! otherwise. A part made in place (compiling a pack from YAML) holds its
//! value from the start, so only precompiled packs decode anything late.
//!
//! Decoding late cannot fail on bytes this build of the engine wrote: a
//! part that does not decode is a broken build, as a pack that does not
//! read was before, and panics with the same words
//! (`tests/precompiled.rs` decodes every part of the built-in pack).

use std::cell::Cell;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value decoded from its encoding on first use, or made in place.
pub struct Lazy<T> {
    value: OnceLock<T>,
    /// The value's encoding, until (and after) it is decoded; empty for a
    /// value made in place.
    encoded: Encoded,
}

enum Encoded {
    None,
    /// Inside the binary's embedded pack.
    Static(&'static [u8]),
    Owned(Box<[u8]>),
}

impl<T> Lazy<T> {
    /// A value made in place (nothing to decode).
    pub fn new(value: T) -> Lazy<T> {
        Lazy { value: OnceLock::from(value), encoded: Encoded::None }
    }

    /// Whether the value has been decoded (or was made in place).
    pub fn is_decoded(&self) -> bool {
        self.value.get().is_some()
    }

    fn bytes(&self) -> &[u8] {
        match &self.encoded {
            Encoded::None => &[],
            Encoded::Static(b) => b,
            Encoded::Owned(b) => b,
        }
    }
}

impl<T: DeserializeOwned> Lazy<T> {
    /// The value, decoded now if it was not yet.
    pub fn get(&self) -> &T {
        self.value.get_or_init(|| {
            rmp_serde::from_slice(self.bytes())
                .unwrap_or_else(|e| panic!("the precompiled pack was written by this build of the engine: {e}"))
        })
    }

    /// The value, to change it (decoded now if it was not yet).
    pub fn get_mut(&mut self) -> &mut T {
        self.get();
        self.value.get_mut().expect("decoded just above")
    }
}

impl<T: DeserializeOwned> std::ops::Deref for Lazy<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.get()
    }
}

impl<T: DeserializeOwned> std::ops::DerefMut for Lazy<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.get_mut()
    }
}

impl<T: DeserializeOwned + std::fmt::Debug> std::fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.value.get() {
            Some(v) => v.fmt(f),
            None => write!(f, "<{} bytes, not decoded>", self.bytes().len()),
        }
    }
}

impl<T: DeserializeOwned + Clone> Clone for Lazy<T> {
    fn clone(&self) -> Lazy<T> {
        Lazy::new(self.get().clone())
    }
}

impl<T: Serialize> Serialize for Lazy<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.value.get() {
            Some(v) => {
                let bytes = super::compact::to_vec(v).map_err(serde::ser::Error::custom)?;
                s.serialize_bytes(&bytes)
            }
            None => s.serialize_bytes(self.bytes()),
        }
    }
}

impl<'de, T> Deserialize<'de> for Lazy<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Lazy<T>, D::Error> {
        let encoded = d.deserialize_bytes(BytesVisitor)?;
        Ok(Lazy { value: OnceLock::new(), encoded })
    }
}

thread_local! {
    /// The embedded pack being read by [`from_static`] on this thread.
    static SOURCE: Cell<&'static [u8]> = const { Cell::new(&[]) };
}

/// Reads `bytes` (a pack written with `rmp_serde`), its lazy parts
/// borrowing their encodings from `bytes` instead of copying them.
pub fn from_static<T: DeserializeOwned>(bytes: &'static [u8]) -> Result<T, rmp_serde::decode::Error> {
    struct Restore(&'static [u8]);
    impl Drop for Restore {
        fn drop(&mut self) {
            SOURCE.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(SOURCE.with(|s| s.replace(bytes)));
    rmp_serde::from_slice(bytes)
}

/// The part of the embedded pack `bytes` is, when it is one.
fn in_source(bytes: &[u8]) -> Option<&'static [u8]> {
    let source = SOURCE.with(Cell::get);
    let start = (bytes.as_ptr() as usize).checked_sub(source.as_ptr() as usize)?;
    source.get(start..start.checked_add(bytes.len())?).filter(|s| s.as_ptr() == bytes.as_ptr())
}

struct BytesVisitor;

impl<'de> serde::de::Visitor<'de> for BytesVisitor {
    type Value = Encoded;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an encoded part of a pack")
    }

    fn visit_borrowed_bytes<E: serde::de::Error>(self, v: &'de [u8]) -> Result<Encoded, E> {
        Ok(in_source(v).map_or_else(|| Encoded::Owned(v.into()), Encoded::Static))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Encoded, E> {
        Ok(Encoded::Owned(v.into()))
    }

    fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Encoded, E> {
        Ok(Encoded::Owned(v.into_boxed_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Holder {
        a: Lazy<Vec<String>>,
        b: Lazy<Option<i64>>,
    }

    fn holder() -> Holder {
        Holder { a: Lazy::new(vec!["x".into(), "y".into()]), b: Lazy::new(Some(-3)) }
    }

    #[test]
    fn a_part_is_decoded_when_read_and_not_before() {
        let bytes = rmp_serde::to_vec(&holder()).unwrap();
        let back: Holder = rmp_serde::from_slice(&bytes).unwrap();
        assert!(!back.a.is_decoded());
        assert!(!back.b.is_decoded());
        assert_eq!(*back.b, Some(-3));
        assert!(back.b.is_decoded());
        assert!(!back.a.is_decoded());
        assert_eq!(back.a.as_slice(), ["x", "y"]);
        assert!(back.a.is_decoded());
    }

    #[test]
    fn a_pack_read_from_static_bytes_borrows_them() {
        let bytes: &'static [u8] = Box::leak(rmp_serde::to_vec(&holder()).unwrap().into_boxed_slice());
        let back: Holder = from_static(bytes).unwrap();
        let Encoded::Static(a) = back.a.encoded else { panic!("borrowed") };
        assert!(bytes.as_ptr_range().contains(&a.as_ptr()));
        assert_eq!(*back.a, ["x", "y"]);
        // Outside `from_static`, the same bytes are copied.
        let copied: Holder = rmp_serde::from_slice(bytes).unwrap();
        assert!(matches!(copied.a.encoded, Encoded::Owned(_)));
        assert_eq!(*copied.b, Some(-3));
    }

    #[test]
    fn written_again_before_or_after_decoding_the_bytes_are_the_same() {
        let bytes = rmp_serde::to_vec(&holder()).unwrap();
        let back: Holder = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(rmp_serde::to_vec(&back).unwrap(), bytes);
        let _ = (&*back.a, &*back.b);
        assert_eq!(rmp_serde::to_vec(&back).unwrap(), bytes);
    }

    #[test]
    #[should_panic(expected = "the precompiled pack was written by this build of the engine")]
    fn bytes_that_do_not_decode_are_a_broken_build() {
        let lazy: Lazy<Vec<String>> = Lazy { value: OnceLock::new(), encoded: Encoded::Owned(Box::new([0xc1])) };
        let _ = lazy.get();
    }
}
