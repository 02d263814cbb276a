//! Documented empty values: the fields of a documented response the emulator has nothing for, written as the documentation's empty values after the fields it serves.
//!
//! A response item is a struct of the fields the emulator knows, wrapped in [`WithBlanks`] with a
//! static table of the other documented fields. The table is walked while the item is encoded
//! (JSON or XML alike), so a documented field costs its bytes and nothing else: no allocation,
//! no copy. The tables are checked against `tests/fixtures/response-fields.json` by a test.

use serde::ser::{Impossible, SerializeStruct};
use serde::{Serialize, Serializer};

/// A documented field's empty value.
#[derive(Debug)]
pub(crate) enum Blank {
    /// `""`.
    Str,
    /// `0`.
    Int,
    /// `0.0`.
    Num,
    /// `false`.
    Bool,
    /// `[]`.
    List,
    /// An object whose every field is blank.
    Obj(&'static [(&'static str, Blank)]),
}

impl Serialize for Blank {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Str => s.serialize_str(""),
            Self::Int => s.serialize_u8(0),
            Self::Num => s.serialize_f64(0.0),
            Self::Bool => s.serialize_bool(false),
            Self::List => s.collect_seq(std::iter::empty::<()>()),
            Self::Obj(fields) => {
                let mut st = s.serialize_struct("Blank", fields.len())?;
                for (name, blank) in *fields {
                    st.serialize_field(name, blank)?;
                }
                st.end()
            }
        }
    }
}

/// `served`, followed by `blanks`.
pub(crate) fn documented<T>(served: T, blanks: &'static [(&'static str, Blank)]) -> WithBlanks<T> {
    WithBlanks { served, blanks }
}

/// An item (a struct) followed by the documented fields it does not serve.
pub(crate) struct WithBlanks<T> {
    /// What the emulator knows.
    pub served: T,
    /// The other documented fields; none may repeat a served name.
    pub blanks: &'static [(&'static str, Blank)],
}

impl<T: Serialize> Serialize for WithBlanks<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.served.serialize(Extend {
            inner: s,
            blanks: self.blanks,
        })
    }
}

/// A serializer that passes a struct through to `inner` and writes the blanks before closing it.
struct Extend<S> {
    inner: S,
    blanks: &'static [(&'static str, Blank)],
}

/// The struct being written, with the blanks still to come.
struct ExtendStruct<T> {
    inner: T,
    blanks: &'static [(&'static str, Blank)],
}

impl<T: SerializeStruct> SerializeStruct for ExtendStruct<T> {
    type Ok = T::Ok;
    type Error = T::Error;

    fn serialize_field<V: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), Self::Error> {
        self.inner.serialize_field(key, value)
    }

    fn end(mut self) -> Result<Self::Ok, Self::Error> {
        for (name, blank) in self.blanks {
            self.inner.serialize_field(name, blank)?;
        }
        self.inner.end()
    }
}

/// Every shape but a struct is a bug in a response type.
fn not_a_struct<E: serde::ser::Error>() -> E {
    E::custom("only a struct can carry documented blanks")
}

macro_rules! refuse {
    ($($name:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<$ret, Self::Error> {
            Err(not_a_struct())
        })*
    };
}

impl<S: Serializer> Serializer for Extend<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Impossible<S::Ok, S::Error>;
    type SerializeTuple = Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
    type SerializeMap = Impossible<S::Ok, S::Error>;
    type SerializeStruct = ExtendStruct<S::SerializeStruct>;
    type SerializeStructVariant = Impossible<S::Ok, S::Error>;

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        Ok(ExtendStruct {
            inner: self.inner.serialize_struct(name, len + self.blanks.len())?,
            blanks: self.blanks,
        })
    }

    refuse! {
        serialize_bool(bool) -> S::Ok;
        serialize_i8(i8) -> S::Ok;
        serialize_i16(i16) -> S::Ok;
        serialize_i32(i32) -> S::Ok;
        serialize_i64(i64) -> S::Ok;
        serialize_u8(u8) -> S::Ok;
        serialize_u16(u16) -> S::Ok;
        serialize_u32(u32) -> S::Ok;
        serialize_u64(u64) -> S::Ok;
        serialize_f32(f32) -> S::Ok;
        serialize_f64(f64) -> S::Ok;
        serialize_char(char) -> S::Ok;
        serialize_str(&str) -> S::Ok;
        serialize_bytes(&[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit() -> S::Ok;
        serialize_unit_struct(&'static str) -> S::Ok;
        serialize_unit_variant(&'static str, u32, &'static str) -> S::Ok;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<V: ?Sized + Serialize>(self, _: &V) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }

    fn serialize_newtype_struct<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &V,
    ) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }

    fn serialize_newtype_variant<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<S::Ok, S::Error> {
        Err(not_a_struct())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Item {
        instance_id: &'static str,
    }

    const BLANKS: &[(&str, Blank)] = &[
        ("Cpu", Blank::Int),
        ("Price", Blank::Num),
        ("Name", Blank::Str),
        ("Io", Blank::Bool),
        (
            "EipAddress",
            Blank::Obj(&[("IpAddress", Blank::Str), ("Bandwidth", Blank::Int)]),
        ),
        ("PublicIpAddress", Blank::Obj(&[("IpAddress", Blank::List)])),
    ];

    fn item() -> WithBlanks<Item> {
        WithBlanks {
            served: Item { instance_id: "i-1" },
            blanks: BLANKS,
        }
    }

    #[test]
    fn json_appends_the_blanks() {
        assert_eq!(
            serde_json::to_string(&item()).unwrap(),
            r#"{"InstanceId":"i-1","Cpu":0,"Price":0.0,"Name":"","Io":false,"EipAddress":{"IpAddress":"","Bandwidth":0},"PublicIpAddress":{"IpAddress":[]}}"#
        );
    }

    #[test]
    fn xml_appends_the_blanks() {
        let xml = quick_xml::se::to_string_with_root("Instance", &item()).unwrap();
        assert_eq!(
            xml,
            "<Instance><InstanceId>i-1</InstanceId><Cpu>0</Cpu><Price>0</Price><Name/><Io>false</Io><EipAddress><IpAddress/><Bandwidth>0</Bandwidth></EipAddress><PublicIpAddress/></Instance>"
        );
    }

    #[test]
    fn anything_but_a_struct_is_refused() {
        let listed = WithBlanks {
            served: [1, 2],
            blanks: BLANKS,
        };
        assert!(serde_json::to_string(&listed).is_err());
    }
}
