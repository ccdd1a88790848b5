//! The precompiled pack's encoding: MessagePack as `rmp_serde` writes it,
//! but enum variants named by their index instead of their name.
//!
//! `rmp_serde` writes a variant as its name (`{"Member": [...]}`), and
//! reading it back checks the name's UTF-8 and compares it with every
//! variant's name in turn: decoding the definitions an audit calls spent
//! more on that than on anything else (the built-in pack names some 25,000
//! variants: `Builtin`, `Member`, `Const`...). Here a variant is written as
//! the index serde gives it (`{3: [...]}`, a unit variant as the bare
//! index), which `rmp_serde`'s reader and serde's derived `Deserialize`
//! accept as they accept the name, so reading is unchanged: only the
//! writer is this module. Everything else is written by `rmp_serde` itself
//! (the same bytes), structs as arrays as it writes them by default.
//!
//! Indices depend on the order of the variants in the source, so the bytes
//! are read only by the build that wrote them, which is what a precompiled
//! pack already requires (`Pack::from_bytes`).

use rmp_serde::encode::Error;
use serde::ser::{self, Serialize};

type Inner<'a> = &'a mut rmp_serde::Serializer<Vec<u8>>;

/// `value` in this encoding.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut ser = rmp_serde::Serializer::new(Vec::new());
    value.serialize(Compact(&mut ser))?;
    Ok(ser.into_inner())
}

/// A serializer writing through `rmp_serde`'s, but variants by index.
struct Compact<'a>(Inner<'a>);

/// A sequence, map, tuple or struct: its header is written, each element
/// is written through [`Compact`].
struct Compound<'a>(Inner<'a>);

fn header(r: Result<rmp::Marker, rmp::encode::ValueWriteError>) -> Result<(), Error> {
    r.map(|_| ()).map_err(Error::from)
}

fn needs_len(len: Option<usize>) -> Result<u32, Error> {
    let len = len.ok_or_else(|| <Error as ser::Error>::custom("a sequence or map of unknown length"))?;
    u32::try_from(len).map_err(|_| <Error as ser::Error>::custom("a sequence or map too long"))
}

impl<'a> Compact<'a> {
    /// `{index: [` with `len` elements to follow: a tuple or struct variant.
    fn variant_with_fields(self, index: u32, len: usize) -> Result<Compound<'a>, Error> {
        let w = self.0.get_mut();
        header(rmp::encode::write_map_len(w, 1))?;
        header(rmp::encode::write_uint(w, u64::from(index)))?;
        header(rmp::encode::write_array_len(w, needs_len(Some(len))?))?;
        Ok(Compound(self.0))
    }
}

impl<'a> ser::Serializer for Compact<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.0.serialize_bool(v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.0.serialize_i8(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.0.serialize_i16(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.0.serialize_i32(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.0.serialize_i64(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.0.serialize_i128(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.0.serialize_u8(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.0.serialize_u16(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.0.serialize_u32(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.0.serialize_u64(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.0.serialize_u128(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.0.serialize_f32(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.0.serialize_f64(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.0.serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.serialize_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.0.serialize_bytes(v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.0.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.0.serialize_unit()
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        self.0.serialize_unit_struct(name)
    }

    fn serialize_unit_variant(self, _: &'static str, index: u32, _: &'static str) -> Result<(), Error> {
        self.0.serialize_u32(index)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let w = self.0.get_mut();
        header(rmp::encode::write_map_len(w, 1))?;
        header(rmp::encode::write_uint(w, u64::from(index)))?;
        value.serialize(self)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a>, Error> {
        header(rmp::encode::write_array_len(self.0.get_mut(), needs_len(len)?))?;
        Ok(Compound(self.0))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.variant_with_fields(index, len)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a>, Error> {
        header(rmp::encode::write_map_len(self.0.get_mut(), needs_len(len)?))?;
        Ok(Compound(self.0))
    }

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.variant_with_fields(index, len)
    }
}

impl Compound<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Compact(&mut *self.0))
    }
}

/// The compound traits, each element written through [`Compact`]: `$method`
/// takes the element (after a field's name, for structs).
macro_rules! compound {
    ($($trait:ident :: $method:ident ($($name:ty)?)),* $(,)?) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, $(_: $name,)? value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                Ok(())
            }
        }
    )*};
}

compound! {
    SerializeSeq::serialize_element(),
    SerializeTuple::serialize_element(),
    SerializeTupleStruct::serialize_field(),
    SerializeTupleVariant::serialize_field(),
    SerializeStruct::serialize_field(&'static str),
    SerializeStructVariant::serialize_field(&'static str),
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.element(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::to_vec;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Unit,
        Newtype(String),
        Tuple(i64, Option<bool>),
        Struct { a: Vec<u8>, b: f64 },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        shapes: Vec<Shape>,
        named: std::collections::BTreeMap<String, Shape>,
        #[serde(skip)]
        skipped: u8,
        last: (),
    }

    fn holder() -> Holder {
        Holder {
            shapes: vec![
                Shape::Unit,
                Shape::Newtype("n".into()),
                Shape::Tuple(-3, None),
                Shape::Tuple(300, Some(true)),
                Shape::Struct { a: vec![1, 2], b: 0.5 },
            ],
            named: [("k".to_string(), Shape::Unit)].into(),
            skipped: 0,
            last: (),
        }
    }

    #[test]
    fn variants_are_written_by_index_and_read_back_by_rmp_serde() {
        let bytes = to_vec(&holder()).unwrap();
        assert_eq!(rmp_serde::from_slice::<Holder>(&bytes).unwrap(), holder());
        // No variant's name is in the bytes; rmp_serde writes them all.
        let by_name = rmp_serde::to_vec(&holder()).unwrap();
        for name in ["Unit", "Newtype", "Tuple", "Struct"] {
            let has = |b: &[u8]| b.windows(name.len()).any(|w| w == name.as_bytes());
            assert!(!has(&bytes) && has(&by_name), "{name}");
        }
    }

    #[test]
    fn everything_but_variants_is_written_as_rmp_serde_writes_it() {
        // A struct as an array of its fields, ints compact, an option as nil
        // or its value, a map with its length.
        let plain = (
            vec![1u64, 300, 70_000],
            ("s", Some(-1i32), None::<u8>),
            1.5f32,
            [("k", 2u8)].into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        );
        assert_eq!(to_vec(&plain).unwrap(), rmp_serde::to_vec(&plain).unwrap());
        // The variants: `{index: value}`, `{index: [fields]}`, a unit one
        // as the bare index.
        assert_eq!(to_vec(&Shape::Unit).unwrap(), [0x00]);
        assert_eq!(to_vec(&Shape::Newtype("n".into())).unwrap(), [0x81, 0x01, 0xa1, b'n']);
        assert_eq!(to_vec(&Shape::Tuple(-3, None)).unwrap(), [0x81, 0x02, 0x92, 0xfd, 0xc0]);
        assert_eq!(to_vec(&Shape::Struct { a: vec![7], b: 0.5 }).unwrap()[..4], [0x81, 0x03, 0x92, 0x91]);
    }

    #[test]
    fn a_sequence_of_unknown_length_is_an_error() {
        struct Unknown;
        impl Serialize for Unknown {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeSeq;
                s.serialize_seq(None)?.end()
            }
        }
        assert!(to_vec(&Unknown).unwrap_err().to_string().contains("unknown length"));
    }
}
